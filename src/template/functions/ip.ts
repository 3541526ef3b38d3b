// IP network functions (cidrhost, cidrnetmask, cidrsubnet, cidrsubnets) for IPv4 and IPv6,
// following Terraform's implementations on top of go-cidr, including their error texts.
// Addresses are BigInts so IPv6 arithmetic is exact.
import { define, type Args, type FunctionDef } from './types.js';

interface Network {
  bits: 32 | 128;
  addr: bigint; // network address (host bits cleared)
  prefix: number;
}

const prefixParam = { name: 'prefix', type: 'string' };

export const ipFunctions: FunctionDef[] = [
  define({ name: 'cidrhost', params: [prefixParam, { name: 'hostnum', type: 'number' }] }, (a) => {
    const num = bigArg(a, 1);
    const net = cidrArg(a, 0);
    const hostLen = net.bits - net.prefix;
    const max = (1n << BigInt(hostLen)) - 1n;
    const host = num < 0n ? max + num + 1n : num;
    if (host < 0n || host > max) {
      throw a.error(1, `prefix of ${net.prefix} does not accommodate a host numbered ${num}`);
    }
    return formatIP(net.addr | host, net.bits);
  }),
  define({ name: 'cidrnetmask', params: [prefixParam] }, (a) => {
    const net = cidrArg(a, 0);
    if (net.bits !== 32) throw a.error(0, `IPv6 addresses cannot have a netmask: ${a.str(0)}`);
    return formatIP(maskOf(net.prefix, 32), 32);
  }),
  define(
    { name: 'cidrsubnet', params: [prefixParam, { name: 'newbits', type: 'number' }, { name: 'netnum', type: 'number' }] },
    (a) => {
      const newbits = a.int(1);
      const num = bigArg(a, 2);
      const net = cidrArg(a, 0);
      if (newbits < 0) throw a.error(1, 'must extend prefix by at least zero bits');
      const newPrefix = net.prefix + newbits;
      if (newPrefix > net.bits) {
        throw a.fail(`insufficient address space to extend prefix of ${net.prefix} by ${newbits}`);
      }
      const max = (1n << BigInt(newbits)) - 1n;
      if (num < 0n || num > max) {
        throw a.fail(`prefix extension of ${newbits} does not accommodate a subnet numbered ${num}`);
      }
      const addr = net.addr | (num << BigInt(net.bits - newPrefix));
      return `${formatIP(addr, net.bits)}/${newPrefix}`;
    },
  ),
  define({ name: 'cidrsubnets', params: [prefixParam], variadic: { name: 'newbits', type: 'number' } }, (a) => {
    const net = cidrArg(a, 0);
    const proto = net.bits === 32 ? 'IPv4' : 'IPv6';
    // Start just before the base network, then repeatedly take the next subnet of each size.
    let current = previousSubnet(net, net.prefix);
    const out: string[] = [];
    for (let i = 1; i < a.length; i++) {
      const ext = a.int(i);
      if (ext < 1) throw a.error(i, 'must extend prefix by at least one bit');
      if (ext > 32) throw a.error(i, 'may not extend prefix by more than 32 bits');
      const length = net.prefix + ext;
      if (length > net.bits) {
        throw a.error(i, `would extend prefix to ${length} bits, which is too long for an ${proto} address`);
      }
      const next = nextSubnet(current, length);
      if (next === null || !contains(net, next.addr)) {
        throw a.error(
          i,
          `not enough remaining address space for a subnet with a prefix of ${length} bits after ${formatIP(current.addr, net.bits)}/${current.prefix}`,
        );
      }
      current = next;
      out.push(`${formatIP(current.addr, net.bits)}/${current.prefix}`);
    }
    return out;
  }),
];

function bigArg(a: Args, i: number): bigint {
  const n = a.num(i);
  if (!Number.isInteger(n)) throw a.error(i, 'value must be a whole number');
  return BigInt(n);
}

function cidrArg(a: Args, i: number): Network {
  const s = a.str(i);
  const net = parseCIDR(s);
  if (!net) throw a.error(i, `invalid CIDR expression: invalid CIDR address: ${s}`);
  return net;
}

function maskOf(prefix: number, bits: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

function contains(net: Network, addr: bigint): boolean {
  return (addr & maskOf(net.prefix, net.bits)) === net.addr;
}

/** go-cidr's PreviousSubnet: the subnet of `prefix` bits just below the network's start. */
function previousSubnet(net: Network, prefix: number): Network {
  const size = 1n << BigInt(net.bits);
  const prev = (net.addr - 1n + size) % size;
  return { bits: net.bits, addr: prev & maskOf(prefix, net.bits), prefix };
}

/** go-cidr's NextSubnet; null when it rolls over the end of the address space. */
function nextSubnet(net: Network, prefix: number): Network | null {
  const size = 1n << BigInt(net.bits);
  const lastOfCurrent = net.addr | ((1n << BigInt(net.bits - net.prefix)) - 1n);
  const mask = maskOf(prefix, net.bits);
  const sub = lastOfCurrent & mask;
  const lastOfSub = sub | ((1n << BigInt(net.bits - prefix)) - 1n);
  const next = (lastOfSub + 1n) % size;
  if (next === 0n) return null;
  return { bits: net.bits, addr: next & mask, prefix };
}

/** Go's net.ParseCIDR: the address is masked to the network; null on any syntax error. */
function parseCIDR(s: string): Network | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ipText = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  const v4 = parseIPv4(ipText);
  if (v4 !== null) {
    if (prefix > 32) return null;
    return { bits: 32, addr: v4 & maskOf(prefix, 32), prefix };
  }
  const v6 = parseIPv6(ipText);
  if (v6 === null || prefix > 128) return null;
  return { bits: 128, addr: v6 & maskOf(prefix, 128), prefix };
}

function parseIPv4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0n;
  for (const p of parts) {
    // Go 1.17+ rejects leading zeros, which were ambiguous (octal in some parsers).
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return null;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseIPv6(s: string): bigint | null {
  let text = s;
  if (text.includes('.')) {
    // An embedded IPv4 tail ("::ffff:1.2.3.4") is the last two groups.
    const lastColon = text.lastIndexOf(':');
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): bigint[] | null => {
    if (h === '') return [];
    const groups = h.split(':');
    const out: bigint[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !rest) return null;
  const explicit = head.length + rest.length;
  let groups: bigint[];
  if (halves.length === 2) {
    if (explicit > 7) return null;
    groups = [...head, ...Array<bigint>(8 - explicit).fill(0n), ...rest];
  } else {
    if (explicit !== 8) return null;
    groups = head;
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** Go's net.IP String: dotted quad for IPv4 (and IPv4-mapped IPv6), RFC 5952 for IPv6. */
function formatIP(addr: bigint, bits: 32 | 128): string {
  if (bits === 32 || addr >> 32n === 0xffffn) {
    const v4 = addr & 0xffffffffn;
    return [24n, 16n, 8n, 0n].map((s) => String((v4 >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((addr >> BigInt(i * 16)) & 0xffffn));
  // Longest run of at least two zero groups, first one on a tie.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
