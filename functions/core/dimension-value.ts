// Kafka names (groups, topics) as CloudWatch dimension values: CloudWatch rejects a whole
// PutMetricData call over one value it cannot take, and Kafka allows any string as a group id.

/** CloudWatch's own limit on a dimension value. */
export const MAX_DIMENSION_VALUE_LENGTH = 1024;

function isPublishable(name: string): boolean {
  // CloudWatch takes printable ASCII with at least one non-blank character; '%' is kept for our escapes.
  return name.length <= MAX_DIMENSION_VALUE_LENGTH && /^[\x20-\x7e]*$/.test(name) && /[\x21-\x7e]/.test(name) && !name.includes('%');
}

/**
 * A Kafka name (group, topic) as a CloudWatch dimension value, or null when it cannot be one.
 * A name CloudWatch takes (and that holds no '%') is used as it is; any other is percent-encoded
 * byte by byte over its UTF-8 (every byte outside '!'..'~', and '%' itself, becomes %XX), and the
 * empty name becomes a lone '%'. Escaped forms always hold a '%' and plain ones never do, so two
 * names never share a value. Null when even the escaped form is longer than CloudWatch allows: the
 * caller skips it and counts it.
 */
export function dimensionValue(name: string): string | null {
  if (isPublishable(name)) return name;
  if (name === '') return '%';
  let out = '';
  for (const byte of new TextEncoder().encode(name)) {
    out += byte >= 0x21 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out.length <= MAX_DIMENSION_VALUE_LENGTH ? out : null;
}
