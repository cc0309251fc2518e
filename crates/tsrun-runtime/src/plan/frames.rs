//! Per-thread frames kept between calls of a plan, so each step can find (and overwrite) the
//! buffer it produced last time. Frames are per thread, so concurrent calls of one module on
//! many threads share nothing and take no lock.

use std::cell::RefCell;

use crate::value::Value;

/// Frames cached per thread (most recently used last); older ones are dropped.
const MAX_FRAMES: usize = 16;

thread_local! {
    static FRAMES: RefCell<Vec<(u64, Vec<Value>)>> = const { RefCell::new(Vec::new()) };
}

/// The cached frame of plan `id` (taken out of the cache, so a nested call of the same plan
/// gets a fresh one), or a new frame of `num_slots` empty slots.
pub(super) fn take(id: u64, num_slots: usize) -> Vec<Value> {
    let cached = FRAMES
        .try_with(|f| {
            let mut frames = f.borrow_mut();
            // The usual case, one model called in a loop: its frame was put back last.
            if frames.last().is_some_and(|(fid, _)| *fid == id) {
                return frames.pop().map(|(_, frame)| frame);
            }
            let i = frames.iter().rposition(|(fid, _)| *fid == id)?;
            Some(frames.swap_remove(i).1)
        })
        .ok()
        .flatten();
    match cached {
        Some(frame) if frame.len() == num_slots => frame,
        _ => vec![Value::None; num_slots],
    }
}

/// Returns a frame to the cache for the next call on this thread.
pub(super) fn put(id: u64, frame: Vec<Value>) {
    // During thread teardown the cache is gone: the frame is simply dropped.
    let _ = FRAMES.try_with(|f| {
        let mut frames = f.borrow_mut();
        if frames.len() >= MAX_FRAMES {
            frames.remove(0);
        }
        frames.push((id, frame));
    });
}
