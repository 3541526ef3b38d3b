import { call, callError, type Case, type ErrorCase } from './test-helpers.js';

describe('ip network functions', () => {
  it.each<Case>([
    ['cidrhost', ['10.12.112.0/20', 16], '10.12.112.16'],
    ['cidrhost', ['10.12.112.0/20', 268], '10.12.113.12'],
    ['cidrhost', ['10.12.127.0/20', 16], '10.12.112.16'], // Packer's docs: host bits of the prefix are ignored
    ['cidrhost', ['10.0.0.0/8', 2], '10.0.0.2'],
    ['cidrhost', ['10.0.0.0/8', -2], '10.255.255.254'],
    ['cidrhost', ['fd00:fd12:3456:7890:00a2::/72', 34], 'fd00:fd12:3456:7890::22'],
    ['cidrhost', ['10.0.0.0/24', -1], '10.0.0.255'],
    ['cidrhost', ['10.0.0.0/24', -256], '10.0.0.0'],
    ['cidrhost', ['10.0.0.77/24', 5], '10.0.0.5'],
    ['cidrhost', ['192.168.1.0/32', 0], '192.168.1.0'],
    ['cidrhost', ['::/0', 1], '::1'],
    ['cidrhost', ['2001:db8::/32', -1], '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['cidrhost', ['::ffff:10.0.0.0/120', 3], '10.0.0.3'],
    ['cidrnetmask', ['172.16.0.0/12'], '255.240.0.0'],
    ['cidrnetmask', ['10.0.0.0/32'], '255.255.255.255'],
    ['cidrnetmask', ['0.0.0.0/0'], '0.0.0.0'],
    ['cidrsubnet', ['172.16.0.0/12', 4, 2], '172.18.0.0/16'],
    ['cidrsubnet', ['10.1.2.0/24', 4, 15], '10.1.2.240/28'],
    ['cidrsubnet', ['fd00:fd12:3456:7890::/56', 16, 162], 'fd00:fd12:3456:7800:a200::/72'],
    ['cidrsubnet', ['10.0.0.0/8', 0, 0], '10.0.0.0/8'],
    ['cidrsubnet', ['2001:db8::/32', 32, 1], '2001:db8:0:1::/64'],
    ['cidrsubnets', ['10.1.0.0/16', 4, 4, 8, 4], ['10.1.0.0/20', '10.1.16.0/20', '10.1.32.0/24', '10.1.48.0/20']],
    [
      'cidrsubnets',
      ['fd00:fd12:3456:7890::/56', 16, 16, 16, 32],
      ['fd00:fd12:3456:7800::/72', 'fd00:fd12:3456:7800:100::/72', 'fd00:fd12:3456:7800:200::/72', 'fd00:fd12:3456:7800:300::/88'],
    ],
    ['cidrsubnets', ['10.0.0.0/24', 1, 1], ['10.0.0.0/25', '10.0.0.128/25']],
    ['cidrsubnets', ['10.0.0.0/8'], []],
  ])('%s(%j) = %j', (name, args, expected) => {
    expect(call(name, ...args)).toEqual(expected);
  });

  it.each<ErrorCase>([
    ['cidrhost', ['10.0.0.0/24', 256], 'Invalid value for "hostnum" parameter: prefix of 24 does not accommodate a host numbered 256.'],
    ['cidrhost', ['10.0.0.0/24', -257], 'Invalid value for "hostnum" parameter: prefix of 24 does not accommodate a host numbered -257.'],
    ['cidrhost', ['10.0.0.0/24', 1.5], 'Invalid value for "hostnum" parameter: value must be a whole number.'],
    ['cidrhost', ['10.0.0.0', 1], 'Invalid value for "prefix" parameter: invalid CIDR expression: invalid CIDR address: 10.0.0.0.'],
    ['cidrhost', ['10.0.0.0/33', 1], 'Invalid value for "prefix" parameter: invalid CIDR expression: invalid CIDR address: 10.0.0.0/33.'],
    ['cidrhost', ['10.0.0.256/8', 1], 'Invalid value for "prefix" parameter: invalid CIDR expression: invalid CIDR address: 10.0.0.256/8.'],
    ['cidrhost', ['010.0.0.0/8', 1], 'Invalid value for "prefix" parameter: invalid CIDR expression: invalid CIDR address: 010.0.0.0/8.'],
    ['cidrhost', ['fd00::1::2/64', 1], 'Invalid value for "prefix" parameter: invalid CIDR expression: invalid CIDR address: fd00::1::2/64.'],
    ['cidrnetmask', ['fd00::/8'], 'Invalid value for "prefix" parameter: IPv6 addresses cannot have a netmask: fd00::/8.'],
    ['cidrsubnet', ['10.0.0.0/30', 3, 0], 'Call to function "cidrsubnet" failed: insufficient address space to extend prefix of 30 by 3.'],
    ['cidrsubnet', ['10.0.0.0/24', 2, 4], 'Call to function "cidrsubnet" failed: prefix extension of 2 does not accommodate a subnet numbered 4.'],
    ['cidrsubnet', ['10.0.0.0/24', 2, -1], 'Call to function "cidrsubnet" failed: prefix extension of 2 does not accommodate a subnet numbered -1.'],
    ['cidrsubnets', ['10.0.0.0/24', 1, 1, 1], 'Invalid value for "newbits" parameter: not enough remaining address space for a subnet with a prefix of 25 bits after 10.0.0.128/25.'],
    ['cidrsubnets', ['10.0.0.0/30', 3], 'Invalid value for "newbits" parameter: would extend prefix to 33 bits, which is too long for an IPv4 address.'],
    ['cidrsubnets', ['fd00::/120', 9], 'Invalid value for "newbits" parameter: would extend prefix to 129 bits, which is too long for an IPv6 address.'],
    // go-cidr starts from the subnet before the base, which wraps for the whole address space;
    // Terraform inherits the quirk, so we keep it.
    ['cidrsubnets', ['0.0.0.0/0', 1], 'Invalid value for "newbits" parameter: not enough remaining address space for a subnet with a prefix of 1 bits after 0.0.0.0/0.'],
    ['cidrsubnets', ['10.0.0.0/8', 0], 'Invalid value for "newbits" parameter: must extend prefix by at least one bit.'],
    ['cidrsubnets', ['fd00::/8', 33], 'Invalid value for "newbits" parameter: may not extend prefix by more than 32 bits.'],
  ])('%s(%j) fails: %s', (name, args, message) => {
    expect(callError(name, ...args).message).toBe(message);
  });

  it('points cidrsubnets errors at the offending newbits argument', () => {
    expect(callError('cidrsubnets', '10.0.0.0/24', 1, 1, 1).argIndex).toBe(3);
  });
});
