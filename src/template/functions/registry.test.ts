import { FUNCTIONS, signature } from './index.js';

// Packer's documented HCL2 function list (minus the evaluator's special forms can, try and
// convert). The secret-store functions exist to fail with a clear message. regex_replace is
// Packer's, not Terraform's; rsadecrypt is in both.
const PACKER_FUNCTIONS = `
abs ceil floor log max min parseint pow signum sum
chomp endswith format formatlist indent join lower regex regex_replace regexall replace split startswith
strcontains strrev substr title trim trimprefix trimspace trimsuffix upper
alltrue anytrue chunklist coalesce coalescelist compact concat contains distinct element
flatten index keys length lookup merge one range reverse setintersection setproduct
setsubtract setunion slice sort values zipmap
base64decode base64encode base64gzip csvdecode jsondecode jsonencode textdecodebase64
textencodebase64 urlencode yamldecode yamlencode
abspath basename dirname file fileexists fileset filebase64 pathexpand templatefile
formatdate legacy_isotime legacy_strftime timeadd timestamp
base64sha256 base64sha512 bcrypt filemd5 filesha1 filesha256 filesha512 md5 sha1 sha256
sha512 uuidv4 uuidv5 rsadecrypt
cidrhost cidrnetmask cidrsubnet cidrsubnets
tobool tolist tomap tonumber toset tostring
vault consul_key aws_secretsmanager aws_secretsmanager_raw
`
  .trim()
  .split(/\s+/);

describe('function registry', () => {
  it('provides every Packer built-in function, and nothing else', () => {
    expect([...FUNCTIONS.keys()].sort()).toEqual([...PACKER_FUNCTIONS].sort());
  });

  it('keys each definition by its own name', () => {
    for (const [name, def] of FUNCTIONS) expect(def.name).toBe(name);
  });

  it.each<[string, string]>([
    ['join', 'join(separator, lists...)'],
    ['format', 'format(format, args...)'],
    ['substr', 'substr(str, offset, length)'],
    ['timestamp', 'timestamp()'],
    ['lookup', 'lookup(inputMap, key, default...)'],
    ['range', 'range(params...)'],
    ['cidrsubnet', 'cidrsubnet(prefix, newbits, netnum)'],
    ['templatefile', 'templatefile(path, vars)'],
  ])('signature of %s is %s', (name, expected) => {
    const def = FUNCTIONS.get(name);
    expect(def && signature(def)).toBe(expected);
  });

  it('marks exactly the functions whose results depend on more than their arguments as impure', () => {
    const impure = [...FUNCTIONS.values()].filter((d) => d.impure).map((d) => d.name).sort();
    expect(impure).toEqual(
      [
        'bcrypt', 'file', 'filebase64', 'fileexists', 'filemd5', 'fileset', 'filesha1', 'filesha256', 'filesha512',
        'legacy_isotime', 'legacy_strftime', 'templatefile', 'timestamp', 'uuidv4',
        'vault', 'consul_key', 'aws_secretsmanager', 'aws_secretsmanager_raw',
      ].sort(),
    );
  });
});
