//! A progress bar on stderr for long commands (`admin seed-demo`, `export`, `import`): redrawn
//! in place at most about a hundred times, then finished with a newline.

use std::io::Write;
use std::time::Instant;

/// One bar.
pub struct Progress {
    what: &'static str,
    started: Instant,
    drawn: u64,
    shown: bool,
}

impl Progress {
    /// A bar counting `what` (e.g. "rows").
    pub fn new(what: &'static str) -> Self {
        Progress {
            what,
            started: Instant::now(),
            drawn: 0,
            shown: false,
        }
    }

    /// `done` of `total` so far.
    pub fn set(&mut self, done: u64, total: u64) {
        let step = (total / 100).max(1);
        if self.shown && done != total && done < self.drawn + step {
            return;
        }
        let width = 40usize;
        let filled = if total == 0 {
            width
        } else {
            ((done as f64 / total as f64) * width as f64).min(width as f64) as usize
        };
        let rate = done as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r[{}{}] {done}/{total} {} ({rate:.0}/s)",
            "#".repeat(filled),
            " ".repeat(width - filled),
            self.what
        );
        let _ = err.flush();
        self.drawn = done;
        self.shown = true;
    }

    /// Ends the line (if anything was drawn).
    pub fn finish(&mut self) {
        if self.shown {
            eprintln!();
            self.shown = false;
        }
    }
}
