//! Whisper's vocabulary as whisper.cpp wants it: the regular tokens as raw
//! bytes, in id order.
//!
//! CTranslate2 stores one token per line of `vocabulary.txt` in GPT-2's
//! byte-level form, where every byte is shown as a printable Unicode
//! character (space is `Ġ`, newline `Ċ`). whisper.cpp wants the raw bytes, so
//! each token is mapped back through GPT-2's byte ↔ character table. Special
//! tokens (`<|endoftext|>` onwards) are not written: whisper.cpp names them
//! itself.

/// The token that ends the regular vocabulary; it and all later tokens are special.
pub(crate) const END_OF_TEXT: &str = "<|endoftext|>";

/// Why a vocabulary cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum VocabError {
    #[error("the vocabulary has no `{END_OF_TEXT}` token")]
    NoEndOfText,
    #[error("token {id} ({token:?}) has a character outside GPT-2's byte table")]
    NotByteLevel { id: usize, token: String },
}

/// GPT-2's table: the printable character that stands for each byte value.
///
/// Bytes that are printable and not whitespace (`!`..=`~`, `¡`..=`¬`,
/// `®`..=`ÿ`) stand for themselves; the other 68 bytes, in order, take the
/// characters from U+0100 upwards.
pub(crate) fn byte_to_char_table() -> [char; 256] {
    let printable = |b: u32| {
        (0x21..=0x7e).contains(&b) || (0xa1..=0xac).contains(&b) || (0xae..=0xff).contains(&b)
    };
    let mut table = ['\0'; 256];
    let mut next_stand_in = 0x100;
    for byte in 0..256u32 {
        let code = if printable(byte) {
            byte
        } else {
            next_stand_in += 1;
            next_stand_in - 1
        };
        // Every code here is below U+0200, so always a valid char.
        table[byte as usize] = char::from_u32(code).unwrap_or('\u{fffd}');
    }
    table
}

/// Decodes GPT-2 byte-level tokens back to bytes.
pub(crate) struct ByteDecoder {
    /// Indexed by character code; `None` for characters outside the table.
    char_to_byte: Vec<Option<u8>>,
}

impl Default for ByteDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl ByteDecoder {
    pub(crate) fn new() -> Self {
        let mut char_to_byte = vec![None; 0x200];
        for (byte, ch) in byte_to_char_table().iter().enumerate() {
            char_to_byte[*ch as usize] = Some(byte as u8);
        }
        Self { char_to_byte }
    }

    /// The raw bytes of one byte-level token, or `None` if a character is not in the table.
    pub(crate) fn decode(&self, token: &str) -> Option<Vec<u8>> {
        token
            .chars()
            .map(|ch| self.char_to_byte.get(ch as usize).copied().flatten())
            .collect()
    }
}

/// The regular tokens of a `vocabulary.txt`, decoded to bytes, in id order.
///
/// Lines are split on `\n` only: the multilingual vocabulary has an empty
/// token at id 50256 that must keep its place.
pub(crate) fn regular_tokens(vocabulary_txt: &str) -> Result<Vec<Vec<u8>>, VocabError> {
    let decoder = ByteDecoder::new();
    let mut tokens = Vec::new();
    for (id, token) in vocabulary_txt.split('\n').enumerate() {
        if token == END_OF_TEXT {
            return Ok(tokens);
        }
        let bytes = decoder
            .decode(token)
            .ok_or_else(|| VocabError::NotByteLevel {
                id,
                token: token.to_string(),
            })?;
        tokens.push(bytes);
    }
    Err(VocabError::NoEndOfText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_a_bijection_onto_256_distinct_characters() {
        let table = byte_to_char_table();
        let mut seen: Vec<char> = table.to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 256);
    }

    #[test]
    fn known_stand_ins_match_gpt2() {
        let table = byte_to_char_table();
        assert_eq!(table[b' ' as usize], 'Ġ'); // U+0120
        assert_eq!(table[b'\n' as usize], 'Ċ'); // U+010A
        assert_eq!(table[0], 'Ā'); // U+0100
        assert_eq!(table[0xad], 'Ń'); // soft hyphen, the last stand-in: U+0143
        assert_eq!(table[b'A' as usize], 'A');
        assert_eq!(table[0xe9], 'é');
    }

    #[test]
    fn every_byte_round_trips() {
        let table = byte_to_char_table();
        let decoder = ByteDecoder::new();
        let all_bytes: Vec<u8> = (0..=255).collect();
        let encoded: String = all_bytes.iter().map(|b| table[*b as usize]).collect();
        assert_eq!(decoder.decode(&encoded).unwrap(), all_bytes);
    }

    #[test]
    fn decodes_a_token_with_a_leading_space_and_utf8() {
        let decoder = ByteDecoder::new();
        assert_eq!(decoder.decode("Ġhello").unwrap(), b" hello");
        // "é" is the two bytes C3 A9, shown as "Ã©".
        assert_eq!(decoder.decode("Ã©").unwrap(), "é".as_bytes());
    }

    #[test]
    fn a_character_outside_the_table_is_refused() {
        let err = regular_tokens("a\n\u{4e2d}\n<|endoftext|>\n").unwrap_err();
        assert_eq!(
            err,
            VocabError::NotByteLevel {
                id: 1,
                token: "\u{4e2d}".into()
            }
        );
    }

    #[test]
    fn stops_at_end_of_text_and_keeps_the_empty_token() {
        // Like the multilingual vocabulary: an empty line before <|endoftext|>.
        let tokens = regular_tokens("!\nĠa\n\n<|endoftext|>\n<|startoftranscript|>\n").unwrap();
        assert_eq!(tokens, vec![b"!".to_vec(), b" a".to_vec(), Vec::new()]);
    }

    #[test]
    fn a_vocabulary_without_end_of_text_is_refused() {
        assert_eq!(regular_tokens("a\nb\n"), Err(VocabError::NoEndOfText));
    }
}
