//! Work spread over the cores, its results taken in the order the work
//! came: the audit of an import reads a million incident files on one
//! thread (the repository handle is not shared) and has them parsed on
//! every core, then judges each in the commit's order.

use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};

/// Items sent to a worker at once: enough that the channels cost little
/// per item, few enough that little is held in flight.
const BATCH: usize = 128;

/// Batches handed out and not yet taken back, per worker, before the
/// feeding thread waits for the oldest: bounds what is held in flight.
const AHEAD: usize = 2;

/// `work` applied to every item `feed` produces, on worker threads (one
/// per core), each result handed to `take` on this thread in the order
/// the items were fed. `feed`'s error is returned once the work in flight
/// is done; on one core the items are worked on here, one at a time.
pub fn map_in_order<I: Send, O: Send>(
    work: impl Fn(I) -> O + Sync,
    feed: impl FnOnce(&mut dyn FnMut(I)) -> anyhow::Result<()>,
    take: &mut dyn FnMut(O),
) -> anyhow::Result<()> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    if workers == 1 {
        return feed(&mut |item| take(work(item)));
    }
    let work = &work;
    std::thread::scope(|scope| {
        let mut pipe = Pipe {
            to: Vec::with_capacity(workers),
            from: Vec::with_capacity(workers),
            batch: Vec::with_capacity(BATCH),
            sent: 0,
            taken: 0,
            failed: false,
        };
        for _ in 0..workers {
            let (to, items) = sync_channel::<Vec<I>>(AHEAD);
            let (done, from) = channel::<Vec<O>>();
            scope.spawn(move || {
                for batch in items {
                    let out: Vec<O> = batch.into_iter().map(work).collect();
                    if done.send(out).is_err() {
                        break;
                    }
                }
            });
            pipe.to.push(to);
            pipe.from.push(from);
        }
        let fed = feed(&mut |item| pipe.push(item, take));
        pipe.send_batch(take);
        // Closing the channels ends the workers once their batches are done.
        let from = std::mem::take(&mut pipe.from);
        pipe.to.clear();
        while pipe.taken < pipe.sent && !pipe.failed {
            match from[pipe.taken % from.len()].recv() {
                Ok(out) => out.into_iter().for_each(&mut *take),
                Err(_) => pipe.failed = true,
            }
            pipe.taken += 1;
        }
        if pipe.failed {
            anyhow::bail!("a worker thread stopped before its work was done");
        }
        fed
    })
}

/// The feeding side: batches go to the workers in turn, and come back
/// from them in the same turn, so their order is kept.
struct Pipe<I, O> {
    to: Vec<SyncSender<Vec<I>>>,
    from: Vec<Receiver<Vec<O>>>,
    batch: Vec<I>,
    sent: usize,
    taken: usize,
    /// A worker is gone: nothing more is sent or taken.
    failed: bool,
}

impl<I, O> Pipe<I, O> {
    fn push(&mut self, item: I, take: &mut dyn FnMut(O)) {
        self.batch.push(item);
        if self.batch.len() >= BATCH {
            self.send_batch(take);
        }
    }

    fn send_batch(&mut self, take: &mut dyn FnMut(O)) {
        if self.batch.is_empty() || self.failed {
            return;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        if self.to[self.sent % self.to.len()].send(batch).is_err() {
            self.failed = true;
            return;
        }
        self.sent += 1;
        // The oldest batches taken back while too many are in flight.
        while self.sent - self.taken > AHEAD * self.to.len() {
            match self.from[self.taken % self.from.len()].recv() {
                Ok(out) => out.into_iter().for_each(&mut *take),
                Err(_) => {
                    self.failed = true;
                    return;
                }
            }
            self.taken += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_order_fed_and_the_feeds_error_after_them() {
        let mut got = Vec::new();
        let fed = map_in_order(
            |n: u64| n * n,
            |each| {
                for n in 0..10_000 {
                    each(n);
                }
                anyhow::bail!("the feed failed")
            },
            &mut |sq| got.push(sq),
        );
        assert_eq!(fed.unwrap_err().to_string(), "the feed failed");
        assert_eq!(got, (0..10_000u64).map(|n| n * n).collect::<Vec<_>>());
    }

    #[test]
    fn nothing_fed_is_nothing_taken() {
        let mut got: Vec<u8> = Vec::new();
        map_in_order(|n: u8| n, |_| Ok(()), &mut |n| got.push(n)).unwrap();
        assert!(got.is_empty());
    }
}
