//! A QR code on the terminal (the device flow's verification URL, README: "Device code"):
//! half blocks, two modules per character cell (`▀`, `▄`, `█` and space), light modules
//! drawn as blocks in the terminal's text colour and dark ones left blank, as `qrencode -t
//! UTF8` draws them for the usual dark background, with the standard quiet zone of four
//! modules. The encoding is the `qrcode` crate's.

use qrcode::render::unicode::Dense1x2;
use qrcode::{EcLevel, QrCode};

/// The widest code drawn, in character cells: wider ones do not fit a terminal line.
const MAX_COLUMNS: usize = 80;

/// The quiet zone around the code, in modules (ISO/IEC 18004).
pub(crate) const QUIET_ZONE: usize = 4;

/// `text` as a QR code in half blocks, one line per two rows of modules; `None` when it does
/// not fit in [`MAX_COLUMNS`].
pub(crate) fn render(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
    if code.width() + 2 * QUIET_ZONE > MAX_COLUMNS {
        return None;
    }
    Some(
        code.render::<Dense1x2>()
            .dark_color(Dense1x2::Light)
            .light_color(Dense1x2::Dark)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modules a rendering shows (`true`: dark), read back from the half blocks.
    fn modules(drawing: &str) -> Vec<Vec<bool>> {
        let mut rows = Vec::new();
        for line in drawing.lines() {
            let (mut top, mut bottom) = (Vec::new(), Vec::new());
            for c in line.chars() {
                // A block is a light module (drawn), a blank a dark one.
                let (t, b) = match c {
                    '█' => (false, false),
                    '▀' => (false, true),
                    '▄' => (true, false),
                    ' ' => (true, true),
                    other => panic!("unexpected {other:?} in the drawing"),
                };
                top.push(t);
                bottom.push(b);
            }
            rows.push(top);
            rows.push(bottom);
        }
        rows
    }

    #[test]
    fn the_drawing_is_the_code_with_its_quiet_zone() {
        let url = "http://127.0.0.1:9400/device?user_code=BCDF-GHJK";
        let drawing = render(url).unwrap();
        let code = QrCode::with_error_correction_level(url, EcLevel::L).unwrap();
        let n = code.width();
        let side = n + 2 * QUIET_ZONE;
        assert_eq!(drawing.lines().count(), side.div_ceil(2));
        assert!(drawing.lines().all(|l| l.chars().count() == side));
        // An odd number of rows leaves half a line below the last one, outside the code.
        let shown = modules(&drawing);
        assert!(shown.len() >= side);
        let colors = code.to_colors();
        for y in 0..side {
            for x in 0..side {
                let inside = (QUIET_ZONE..QUIET_ZONE + n).contains(&x)
                    && (QUIET_ZONE..QUIET_ZONE + n).contains(&y);
                let want = inside
                    && colors[(y - QUIET_ZONE) * n + (x - QUIET_ZONE)] == qrcode::Color::Dark;
                assert_eq!(shown[y][x], want, "module ({x}, {y})");
            }
        }
        // The finder pattern's dark frame in the top-left corner, after the quiet zone.
        assert!((0..7).all(|i| shown[QUIET_ZONE][QUIET_ZONE + i]));
        assert!(!shown[QUIET_ZONE - 1][QUIET_ZONE]);
    }

    #[test]
    fn what_does_not_fit_a_terminal_is_not_drawn() {
        assert!(render(&"x".repeat(2000)).is_none());
        assert!(render(&"x".repeat(8000)).is_none());
        assert!(render("https://example.com/device").is_some());
    }
}
