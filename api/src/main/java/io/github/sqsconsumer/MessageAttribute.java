package io.github.sqsconsumer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * One message attribute: a data type ({@code String}, {@code Number}, {@code Binary}, optionally with a
 * custom suffix such as {@code Number.int}) and its value.
 *
 * <p>Immutable and thread-safe. Binary values are copied on the way in and on the way out, so no caller
 * can change an attribute another caller sees.
 */
public final class MessageAttribute {
  private final String dataType;
  private final String stringValue;
  private final byte[] binaryValue;

  private MessageAttribute(String dataType, String stringValue, byte[] binaryValue) {
    this.dataType = Objects.requireNonNull(dataType, "dataType");
    this.stringValue = stringValue;
    this.binaryValue = binaryValue;
  }

  /**
   * A string-valued attribute ({@code String} or {@code Number} types and their custom suffixes).
   *
   * @param dataType the SQS data type, never null
   * @param value the value, never null
   * @return the attribute, never null
   */
  public static MessageAttribute ofString(String dataType, String value) {
    Checks.requireArgument(!dataType.startsWith("Binary"),
        "a string attribute must not have a binary data type but was %s", dataType);
    return new MessageAttribute(dataType, Objects.requireNonNull(value, "value"), null);
  }

  /**
   * A binary attribute of type {@code Binary} (or {@code Binary.<suffix>}).
   *
   * @param dataType the SQS data type, never null; must start with {@code Binary}
   * @param value the bytes, never null; copied
   * @return the attribute, never null
   */
  public static MessageAttribute ofBinary(String dataType, byte[] value) {
    Checks.requireArgument(dataType.startsWith("Binary"),
        "a binary attribute must have a data type starting with Binary but was %s", dataType);
    return new MessageAttribute(dataType, null, Objects.requireNonNull(value, "value").clone());
  }

  /** {@return the data type, for example {@code String}, {@code Number.int} or {@code Binary}; never null} */
  public String dataType() {
    return dataType;
  }

  /** {@return true if this attribute carries bytes rather than a string} */
  public boolean isBinary() {
    return binaryValue != null;
  }

  /**
   * {@return the string value; for a binary attribute, its Base64 form} Never null.
   */
  public String stringValue() {
    return stringValue != null ? stringValue : Base64.getEncoder().encodeToString(binaryValue);
  }

  /**
   * {@return a copy of the binary value; for a string attribute, its UTF-8 bytes} Never null.
   */
  public byte[] binaryValue() {
    return binaryValue != null ? binaryValue.clone() : stringValue.getBytes(StandardCharsets.UTF_8);
  }

  /** The value's size in bytes, as SQS counts it: the bytes, or the string in UTF-8; copies nothing. */
  long valueBytes() {
    return binaryValue != null ? binaryValue.length : BatchAssembler.utf8Length(stringValue);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MessageAttribute that
        && dataType.equals(that.dataType)
        && Objects.equals(stringValue, that.stringValue)
        && Arrays.equals(binaryValue, that.binaryValue);
  }

  @Override
  public int hashCode() {
    return 31 * dataType.hashCode() + (stringValue != null ? stringValue.hashCode() : Arrays.hashCode(binaryValue));
  }

  @Override
  public String toString() {
    // the value may be sensitive: only its type and size
    return "MessageAttribute[" + dataType + ", "
        + (isBinary() ? binaryValue.length + " bytes" : stringValue.length() + " chars") + "]";
  }
}
