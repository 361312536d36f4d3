//! The few text styles Markdown needs, as SGR escape sequences.

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style(u8);

impl Style {
    pub const BOLD: Self = Self(1);
    pub const DIM: Self = Self(1 << 1);
    pub const ITALIC: Self = Self(1 << 2);
    pub const UNDERLINE: Self = Self(1 << 3);
    pub const STRIKE: Self = Self(1 << 4);
    /// A code span: coloured, since its backticks are not shown.
    pub const CODE: Self = Self(1 << 5);
    pub const LINK: Self = Self(1 << 6);

    #[must_use]
    pub const fn with(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub const fn has(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// `text` in this style, then back to none.
    pub fn paint(self, text: &str, out: &mut String) {
        if self == Self::default() {
            out.push_str(text);
            return;
        }
        let codes: Vec<&str> = [
            (Self::BOLD, "1"),
            (Self::DIM, "2"),
            (Self::ITALIC, "3"),
            (Self::UNDERLINE, "4"),
            (Self::STRIKE, "9"),
            (Self::CODE, "36"),
            (Self::LINK, "4;34"),
        ]
        .into_iter()
        .filter(|(style, _)| self.has(*style))
        .map(|(_, code)| code)
        .collect();
        out.push_str(&format!("\x1b[{}m{text}\x1b[0m", codes.join(";")));
    }
}
