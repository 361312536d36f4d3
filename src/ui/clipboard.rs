//! Copying text for the user: through the terminal with OSC 52, which works over SSH and in
//! most terminals, and onto the system clipboard with arboard where there is one (a desktop
//! session). Either may be missing; what worked is said.

use std::io::{IsTerminal as _, Write as _};

use base64::Engine as _;

/// The ways `text` was copied: `terminal` (OSC 52), `clipboard` (the system's).
pub fn copy(text: &str) -> Vec<&'static str> {
    let mut ways = Vec::new();
    let mut stdout = std::io::stdout();
    if stdout.is_terminal() {
        let encoded = base64::engine::general_purpose::STANDARD.encode(text);
        if write!(stdout, "\x1b]52;c;{encoded}\x07")
            .and_then(|()| stdout.flush())
            .is_ok()
        {
            ways.push("terminal");
        }
    }
    // The clipboard is this process's to serve until another program takes it: in `tm chat`
    // it lasts the session.
    if arboard::Clipboard::new()
        .and_then(|mut clipboard| clipboard.set_text(text))
        .is_ok()
    {
        ways.push("clipboard");
    }
    ways
}
