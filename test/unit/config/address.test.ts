import { describe, it, expect } from 'vitest';
import { ipKey, isLoopbackListenerAddress, listenerBindHost, parseListenerAddress } from '../../../src/config/address.js';

describe('listener addresses', () => {
  it.each([
    ['*', { kind: 'any' }],
    ['IP:0.0.0.0', { kind: 'any' }],
    ['IP:[::]', { kind: 'any' }],
    ['IP:10.0.0.1', { kind: 'ip', ip: '10.0.0.1', family: 4 }],
    ['ip:[fe80::1]', { kind: 'ip', ip: 'fe80::1', family: 6 }],
    ['IP:::1', { kind: 'ip', ip: '::1', family: 6 }],
    ['MAC:00-15-5d-01-02-03', { kind: 'mac', mac: '00-15-5D-01-02-03' }],
  ])('%s parses', (address, expected) => {
    expect(parseListenerAddress(address)).toEqual(expected);
  });

  it.each(['', 'localhost', 'IP:1.2.3', 'IP:[1.2.3.4]x', 'MAC:00:15:5d:01:02:03', 'TCP:1.2.3.4'])('%s is invalid', (address) => {
    expect(parseListenerAddress(address).kind).toBe('invalid');
  });

  it('IPv6 spellings of one address share a key; IPv4-mapped addresses key as IPv4', () => {
    expect(ipKey('::1', 6)).toBe(ipKey('0:0:0:0:0:0:0:1', 6));
    expect(ipKey('fe80::1:0:0:1', 6)).toBe('fe80:0:0:0:1:0:0:1');
    expect(ipKey('::ffff:127.0.0.1', 6)).toBe('127.0.0.1');
    expect(ipKey('::ffff:7f00:1', 6)).toBe('127.0.0.1');
  });

  it.each([
    ['IP:127.0.0.1', true],
    ['IP:127.255.0.9', true],
    ['IP:[::1]', true],
    ['IP:::ffff:127.0.0.1', true],
    ['*', false],
    ['IP:0.0.0.0', false],
    ['IP:10.0.0.1', false],
    ['IP:::2', false],
  ])('%s loopback: %s', (address, loopback) => {
    expect(isLoopbackListenerAddress(address)).toBe(loopback);
  });

  it('bind hosts: the bare IP, a wildcard for *, undefined for MAC', () => {
    expect(listenerBindHost('IP:[::1]')).toBe('::1');
    expect(listenerBindHost('IP:127.0.0.1')).toBe('127.0.0.1');
    expect(['::', '0.0.0.0']).toContain(listenerBindHost('*'));
    expect(listenerBindHost('MAC:00-15-5D-01-02-03')).toBeUndefined();
  });
});
