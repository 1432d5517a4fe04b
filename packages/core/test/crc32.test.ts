import { crc32, crc32Fallback } from '../src/deliver/spool/crc32';

describe('crc32', () => {
  it('matches the IEEE check value, natively and in the table fallback', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Fallback(check)).toBe(0xcbf43926);
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) & 0xff));
    expect(crc32Fallback(random)).toBe(crc32(random));
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});
