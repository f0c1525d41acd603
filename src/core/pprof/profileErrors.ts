/** Raised for any input that is not a well-formed profile; the message says what is wrong and where. */
export class ProfileFormatError extends Error {
  override name = 'ProfileFormatError';
  constructor(
    message: string,
    /** Byte offset in the (decompressed) input where the problem was found, when known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** Raised when an operation is given profiles it cannot combine, such as a merge of differing sample types. */
export class ProfileMismatchError extends Error {
  override name = 'ProfileMismatchError';
}

/** Raised when a value cannot be represented without silent precision loss. */
export class ProfilePrecisionError extends ProfileFormatError {
  override name = 'ProfilePrecisionError';
}
