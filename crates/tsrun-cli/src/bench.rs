//! `--bench N`: time a method's steady-state calls.
//!
//! Sub-microsecond calls cannot be timed one by one (reading the clock costs tens of
//! nanoseconds), so calls are timed in batches sized to take about 50 µs each; every batch
//! gives one per-call sample, and the report gives the median and the 10th/90th percentiles
//! of those samples.

use std::time::Instant;

/// What `--bench` prints as the last line of stdout.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Calls timed (after the warm-up).
    pub calls: usize,
    /// Median per-call time over the batches, in microseconds.
    pub median_us: f64,
    /// 10th percentile, in microseconds.
    pub p10_us: f64,
    /// 90th percentile, in microseconds.
    pub p90_us: f64,
    /// Time `Module::load` took, in milliseconds.
    pub load_ms: f64,
}

impl BenchReport {
    /// The JSON line: `{"bench": {"calls": N, "median_us": ..., ...}}`.
    pub fn to_json_line(&self) -> String {
        format!(
            "{{\"bench\": {{\"calls\": {}, \"median_us\": {:.4}, \"p10_us\": {:.4}, \"p90_us\": {:.4}, \"load_ms\": {:.3}}}}}",
            self.calls, self.median_us, self.p10_us, self.p90_us, self.load_ms
        )
    }
}

/// Target duration of one timed batch.
const BATCH_SECONDS: f64 = 50e-6;

/// Runs `call` `calls` times after a warm-up and summarises the per-call times.
pub fn measure<E>(
    calls: usize,
    load_ms: f64,
    mut call: impl FnMut() -> Result<(), E>,
) -> Result<BenchReport, E> {
    // Warm-up: caches, allocator, lazily built state; also sizes the batches.
    let warm = (calls / 10).clamp(1, 1000);
    let start = Instant::now();
    for _ in 0..warm {
        call()?;
    }
    let per_call = start.elapsed().as_secs_f64() / warm as f64;
    let batch = ((BATCH_SECONDS / per_call.max(1e-9)) as usize).clamp(1, calls.max(1));
    let mut samples = Vec::with_capacity(calls / batch + 1);
    let mut done = 0;
    while done < calls {
        let n = batch.min(calls - done);
        let t = Instant::now();
        for _ in 0..n {
            call()?;
        }
        samples.push(t.elapsed().as_secs_f64() * 1e6 / n as f64);
        done += n;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| {
        if samples.is_empty() {
            return 0.0;
        }
        let i = ((samples.len() - 1) as f64 * q).round() as usize;
        samples[i.min(samples.len() - 1)]
    };
    Ok(BenchReport {
        calls,
        median_us: pick(0.5),
        p10_us: pick(0.1),
        p90_us: pick(0.9),
        load_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_call_and_orders_percentiles() {
        let mut n = 0usize;
        let r = measure::<()>(1000, 1.5, || {
            n += 1;
            std::hint::black_box(n);
            Ok(())
        })
        .unwrap();
        assert_eq!(n, 1000 + 100);
        assert_eq!(r.calls, 1000);
        assert!(r.p10_us <= r.median_us && r.median_us <= r.p90_us);
        assert!(r
            .to_json_line()
            .starts_with("{\"bench\": {\"calls\": 1000, "));
    }

    #[test]
    fn stops_at_the_first_error() {
        let mut n = 0;
        let r = measure(10, 0.0, || {
            n += 1;
            if n == 3 {
                Err("boom")
            } else {
                Ok(())
            }
        });
        assert_eq!(r, Err("boom"));
    }
}
