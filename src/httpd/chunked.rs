//! The framing of a chunked request body (RFC 9112 §7.1), as the gate checks it while the
//! body passes: each line of the framing (a chunk-size line, the line end after a chunk's
//! data, a trailer line) must end with CRLF, as hyper requires, so that the gate and hyper
//! find the same end of the body.

/// The next framing unit of a chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Chunk {
    /// A chunk-size line (with optional extensions), ended by CRLF.
    Size,
    /// This many bytes of chunk data.
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// Trailer lines until an empty one; the trailer bytes so far.
    Trailers(usize),
    /// Nothing: the body has ended.
    End,
}

/// What follows `line` (one whole line, its LF included) where `at` was expected, or `None`
/// when the line is not what may stand there: not ended by CRLF, longer than `max_line`, a
/// malformed chunk size, a non-empty line after chunk data, or trailers beyond
/// `max_trailers` bytes. `at` is one of the line units (`Size`, `DataEnd`, `Trailers`).
pub(super) fn next(line: &[u8], at: Chunk, max_line: usize, max_trailers: usize) -> Option<Chunk> {
    let len = line.len();
    // A bare LF would let the gate and hyper see different ends of the body.
    if len > max_line || !line.ends_with(b"\r\n") || line[..len - 2].contains(&b'\n') {
        return None;
    }
    match at {
        // httparse reads an empty size as 0; RFC 9112 asks for at least one digit.
        Chunk::Size if !line[0].is_ascii_hexdigit() => None,
        Chunk::Size => match httparse::parse_chunk_size(line) {
            Ok(httparse::Status::Complete((used, 0))) if used == len => Some(Chunk::Trailers(0)),
            Ok(httparse::Status::Complete((used, size))) if used == len => Some(Chunk::Data(size)),
            _ => None,
        },
        Chunk::DataEnd if len == 2 => Some(Chunk::Size),
        Chunk::Trailers(_) if len == 2 => Some(Chunk::End),
        Chunk::Trailers(total) if total + len <= max_trailers => Some(Chunk::Trailers(total + len)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(line: &[u8], at: Chunk) -> Option<Chunk> {
        next(line, at, 64, 32)
    }

    #[test]
    fn sizes_data_ends_and_trailers() {
        assert_eq!(after(b"5\r\n", Chunk::Size), Some(Chunk::Data(5)));
        assert_eq!(after(b"1A;ext=1\r\n", Chunk::Size), Some(Chunk::Data(26)));
        assert_eq!(after(b"0\r\n", Chunk::Size), Some(Chunk::Trailers(0)));
        assert_eq!(after(b"\r\n", Chunk::DataEnd), Some(Chunk::Size));
        assert_eq!(
            after(b"X-T: 1\r\n", Chunk::Trailers(0)),
            Some(Chunk::Trailers(8))
        );
        assert_eq!(after(b"\r\n", Chunk::Trailers(8)), Some(Chunk::End));
    }

    #[test]
    fn lines_that_could_be_read_two_ways_are_refused() {
        for (line, at) in [
            (&b"5\n"[..], Chunk::Size),
            (b"5;a\nb\r\n", Chunk::Size),
            (b"zz\r\n", Chunk::Size),
            (b"\r\n", Chunk::Size),
            (b"x\r\n", Chunk::DataEnd),
            (b"\n", Chunk::DataEnd),
            (b"X-T: 1\n", Chunk::Trailers(0)),
            (b"\n", Chunk::Trailers(0)),
        ] {
            assert_eq!(after(line, at), None, "{:?}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn lines_and_trailers_are_bounded() {
        let long = [b"1;".as_slice(), &[b'a'; 70], b"\r\n"].concat();
        assert_eq!(after(&long, Chunk::Size), None);
        assert_eq!(
            after(b"X-Long-Trailer: 1234567\r\n", Chunk::Trailers(10)),
            None
        );
        assert_eq!(after(b"\r\n", Chunk::Trailers(32)), Some(Chunk::End));
    }
}
