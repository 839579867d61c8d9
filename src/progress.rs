//! Progress of `up` and `destroy`: bars on a terminal, one plain line per
//! event elsewhere (CI logs).

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use skistack_engine::{Event, Observer};

/// Chooses bars or lines depending on whether stderr is a terminal.
pub fn observer() -> std::sync::Arc<dyn Observer> {
    if std::io::stderr().is_terminal() {
        std::sync::Arc::new(Bars::new())
    } else {
        std::sync::Arc::new(Lines {
            start: Instant::now(),
        })
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// Plain lines for logs.
struct Lines {
    start: Instant,
}

impl Observer for Lines {
    fn event(&self, e: &Event<'_>) {
        let line = match e {
            Event::Started { total } => format!("applying {total} steps"),
            Event::StepStarted {
                address,
                type_token,
                op,
            } => format!("{} {address} ({type_token})", op.verb()),
            Event::StepDone {
                address,
                type_token,
                op,
                elapsed,
            } => {
                format!(
                    "{} {address} ({type_token}) in {}",
                    op.done_verb(),
                    secs(*elapsed)
                )
            }
            Event::StepFailed {
                address, op, error, ..
            } => format!("failed {} {address}: {error}", op.verb()),
            Event::Notice { message } => format!("note: {message}"),
        };
        let mut err = std::io::stderr().lock();
        // Progress output is best effort: a closed stderr must not stop the run.
        let _ = writeln!(err, "[{:>6}] {line}", secs(self.start.elapsed()));
    }
}

/// An overall bar and a spinner per step in flight.
struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    in_flight: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new() -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        let overall = multi.add(ProgressBar::new(0));
        overall.set_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} steps {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Bars {
            multi,
            overall,
            in_flight: Mutex::new(HashMap::new()),
        }
    }

    fn println(&self, line: String) {
        // Drawing is best effort.
        let _ = self.multi.println(line);
    }
}

impl Observer for Bars {
    fn event(&self, e: &Event<'_>) {
        let mut flights = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        match e {
            Event::Started { total } => self.overall.set_length(*total as u64),
            Event::StepStarted {
                address,
                type_token,
                op,
            } => {
                // Only a handful of spinners are useful on screen.
                if flights.len() < 12 {
                    let pb = self.multi.add(ProgressBar::new_spinner());
                    pb.set_style(
                        ProgressStyle::with_template("  {spinner} {msg} {elapsed}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    pb.set_message(format!("{} {address} ({type_token})", op.verb()));
                    pb.enable_steady_tick(Duration::from_millis(120));
                    flights.insert(address.to_string(), pb);
                }
            }
            Event::StepDone {
                address,
                type_token,
                op,
                elapsed,
            } => {
                if let Some(pb) = flights.remove(*address) {
                    pb.finish_and_clear();
                    self.multi.remove(&pb);
                }
                self.overall.inc(1);
                if self.overall.length().unwrap_or(0) <= 200 {
                    self.println(format!(
                        "  {} {address} ({type_token}) in {}",
                        op.done_verb(),
                        secs(*elapsed)
                    ));
                }
            }
            Event::StepFailed {
                address, op, error, ..
            } => {
                if let Some(pb) = flights.remove(*address) {
                    pb.finish_and_clear();
                    self.multi.remove(&pb);
                }
                self.overall.inc(1);
                self.println(format!("  failed {} {address}: {error}", op.verb()));
            }
            Event::Notice { message } => self.println(format!("note: {message}")),
        }
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.overall.finish_and_clear();
    }
}
