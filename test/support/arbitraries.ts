import fc from 'fast-check';

/** Any UTF-16 text: NUL, lone surrogates and the rest, as well as ordinary strings. */
export const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc
    .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 })
    .map((codes) => String.fromCharCode(...codes)),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', '\udfff', 'ok\ud83d\ude00ok', '\ud83d\ude00'),
);
/** Any JSON number a client can send, and some it cannot (NaN and infinities arrive as null). */
export const anyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -8, 8, 2 ** 31, 2 ** 31 - 8, 2 ** 53, 1e300, -0, 8.5),
);
/** Any JSON value, nested. */
export const anyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyText,
    anyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(anyText, tie('value'), { maxKeys: 4 }),
  ),
})).value;
