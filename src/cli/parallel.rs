//! Work on many files on every core, with results in a stable order.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Runs `work` on every item, on as many threads as there are cores, and
/// hands each result to `emit` in the items' order, as soon as it and every
/// one before it are done. Each thread has its own `state` (made by
/// `start`, e.g. a parse cache) and holds one item's work at a time, so
/// memory grows with the results kept, not with the number of items.
pub fn in_order<T, S, R>(
    items: &[T],
    start: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &T) -> R + Sync,
    mut emit: impl FnMut(R),
) where
    T: Sync,
    R: Send,
{
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(items.len());
    if threads <= 1 {
        let mut state = start();
        items.iter().for_each(|item| emit(work(&mut state, item)));
        return;
    }
    let next = AtomicUsize::new(0);
    let (done, results) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let done = done.clone();
            let (next, start, work) = (&next, &start, &work);
            scope.spawn(move || {
                let mut state = start();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else {
                        break;
                    };
                    if done.send((index, work(&mut state, item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        // results that arrived before an earlier one
        let mut waiting = BTreeMap::new();
        let mut wanted = 0;
        for (index, result) in results {
            waiting.insert(index, result);
            while let Some(result) = waiting.remove(&wanted) {
                emit(result);
                wanted += 1;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_items_order_whatever_order_they_finish_in() {
        let items: Vec<u64> = (0..200).collect();
        let mut seen = Vec::new();
        in_order(
            &items,
            || (),
            |_, &i| {
                // later items finish first
                std::thread::sleep(std::time::Duration::from_micros((200 - i) * 20));
                i * 2
            },
            |r| seen.push(r),
        );
        assert_eq!(seen, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let mut none = Vec::new();
        in_order(&[] as &[u64], || (), |_, &i| i, |r| none.push(r));
        assert!(none.is_empty());
    }
}
