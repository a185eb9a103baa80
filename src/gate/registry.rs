//! A process-wide table of decision cells, so the per-event `decide` can be a plain exported function taking an
//! instance id and two handles.
//!
//! Why: from Swift, a UniFFI *method* is two foreign calls (clone the object handle, then call), a free function is
//! one. The hot path therefore goes through a free function that finds the instance's decision cells here by id.
//!
//! Each open engine claims a [`Slot`]; its cells live in that slot for as long as the engine does, and the engine
//! itself reads them too, so there is one copy of the decisions. Ids carry a generation, so a stale id (an instance
//! that was closed, or a slot that was reused since) reads as closed, never as someone else's decisions. A slot's
//! cell storage is allocated once and kept for the next instance that fits in it, so readers never touch freed
//! memory without any `unsafe` code; the memory kept is bounded by the largest number of instances open at once
//! (normally one per process) times their table size (purposes × data types bytes).
//!
//! Readers use the seqlock pattern: check the generation, read the cell, check the generation again.

use std::sync::atomic::{fence, AtomicU32, AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};

/// How many instances can use the fast path at the same time; more still work through the method path.
pub const SLOTS: usize = 1024;

/// What a lookup by instance id found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellRead {
    /// The decision code stored in the cell.
    Code(u8),
    /// The id is not (or no longer) that of an open instance.
    Closed,
    /// A handle is out of range for the instance's manifest.
    OutOfRange,
}

/// One instance's place in the table.
struct Slot {
    /// Generation of the instance using the slot, 0 while nobody does (or after its engine closed).
    generation: AtomicU32,
    /// Purposes (rows) and data types (row width) of the current instance's table.
    rows: AtomicU32,
    width: AtomicU32,
    /// The cells, allocated by the first instance that used the slot and kept for the ones after it.
    cells: OnceLock<Box<[AtomicU8]>>,
}

impl Slot {
    const fn new() -> Slot {
        Slot { generation: AtomicU32::new(0), rows: AtomicU32::new(0), width: AtomicU32::new(0), cells: OnceLock::new() }
    }
}

static TABLE: [Slot; SLOTS] = [const { Slot::new() }; SLOTS];

/// Slots claimed by a live engine (claiming and releasing are rare, so a lock is fine there).
static CLAIMED: Mutex<Vec<bool>> = Mutex::new(Vec::new());

/// Source of generations: never 0, and a reused slot gets a new one.
static NEXT_GENERATION: AtomicU32 = AtomicU32::new(1);

/// An engine's claim on a slot: its decision cells and the id foreign code passes to [`read`]. Releases the slot when
/// dropped.
pub struct Registration {
    slot: usize,
    generation: u32,
    cells: &'static [AtomicU8],
}

impl Registration {
    /// Claims a slot for a `rows` × `width` table, or `None` when every slot is taken (or the table is too large to
    /// index with 32-bit handles); the caller then keeps its cells itself.
    pub fn claim(rows: usize, width: usize) -> Option<Registration> {
        let len = rows.checked_mul(width)?;
        let (rows32, width32) = (u32::try_from(rows).ok()?, u32::try_from(width).ok()?);
        let mut claimed = CLAIMED.lock().unwrap_or_else(|e| e.into_inner());
        if claimed.is_empty() {
            claimed.resize(SLOTS, false);
        }
        // A slot whose storage is big enough, else one with no storage yet.
        let fits = |i: usize| TABLE[i].cells.get().is_some_and(|c| c.len() >= len);
        let index = (0..SLOTS)
            .find(|&i| !claimed[i] && fits(i))
            .or_else(|| (0..SLOTS).find(|&i| !claimed[i] && TABLE[i].cells.get().is_none()))?;
        claimed[index] = true;
        let slot = &TABLE[index];
        let cells = &slot.cells.get_or_init(|| (0..len).map(|_| AtomicU8::new(0)).collect())[..len];
        let generation = loop {
            let g = NEXT_GENERATION.fetch_add(1, Ordering::Relaxed);
            if g != 0 {
                break g;
            }
        };
        slot.rows.store(rows32, Ordering::Relaxed);
        slot.width.store(width32, Ordering::Relaxed);
        slot.generation.store(generation, Ordering::Release);
        Some(Registration { slot: index, generation, cells })
    }

    /// The instance id for [`read`]: generation in the upper 32 bits, slot in the lower.
    pub fn id(&self) -> u64 {
        (u64::from(self.generation) << 32) | self.slot as u64
    }

    /// The decision cells, `cells[purpose * width + data_type]`.
    pub fn cells(&self) -> &'static [AtomicU8] {
        self.cells
    }

    /// Makes the id read as closed from now on (the cells stay the engine's until it is dropped).
    pub fn retire(&self) {
        let _ = TABLE[self.slot].generation.compare_exchange(self.generation, 0, Ordering::Release, Ordering::Relaxed);
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.retire();
        let mut claimed = CLAIMED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = claimed.get_mut(self.slot) {
            *c = false;
        }
    }
}

/// An engine's decision cells: in a registry slot when one was free, else owned (then they have no instance id).
pub enum DecisionCells {
    /// In the registry, readable by id.
    Registered(Registration),
    /// Owned by the engine alone.
    Owned(Box<[AtomicU8]>),
}

impl DecisionCells {
    /// Cells for a `rows` × `width` table holding `codes`.
    pub fn new(rows: usize, width: usize, codes: &[u8]) -> DecisionCells {
        let cells = match Registration::claim(rows, width) {
            Some(r) => DecisionCells::Registered(r),
            None => DecisionCells::Owned(codes.iter().map(|_| AtomicU8::new(0)).collect()),
        };
        for (cell, &code) in cells.get().iter().zip(codes) {
            cell.store(code, Ordering::Relaxed);
        }
        cells
    }

    /// The cells, `[purpose * width + data_type]`.
    #[inline]
    pub fn get(&self) -> &[AtomicU8] {
        match self {
            DecisionCells::Registered(r) => r.cells,
            DecisionCells::Owned(c) => c,
        }
    }

    /// The instance id for [`read`], 0 when the cells are not in the registry.
    pub fn id(&self) -> u64 {
        match self {
            DecisionCells::Registered(r) => r.id(),
            DecisionCells::Owned(_) => 0,
        }
    }

    /// The id reads as closed from now on.
    pub fn retire(&self) {
        if let DecisionCells::Registered(r) = self {
            r.retire();
        }
    }
}

/// Reads the decision cell of (`purpose`, `data_type`) of the instance `id`: the per-event path of the exported
/// `decide_code_for`. Lock-free, no allocation.
#[inline]
pub fn read(id: u64, purpose: u32, data_type: u32) -> CellRead {
    let generation = (id >> 32) as u32;
    let Some(slot) = TABLE.get((id & 0xffff_ffff) as usize) else {
        return CellRead::Closed;
    };
    if generation == 0 || slot.generation.load(Ordering::Acquire) != generation {
        return CellRead::Closed;
    }
    let (rows, width) = (slot.rows.load(Ordering::Relaxed), slot.width.load(Ordering::Relaxed));
    let read = if purpose < rows && data_type < width {
        let at = purpose as usize * width as usize + data_type as usize;
        match slot.cells.get().and_then(|c| c.get(at)) {
            Some(cell) => CellRead::Code(cell.load(Ordering::Relaxed)),
            None => CellRead::Closed,
        }
    } else {
        CellRead::OutOfRange
    };
    // The slot may have been released and reused while we read: then what we read belongs to someone else.
    fence(Ordering::Acquire);
    if slot.generation.load(Ordering::Relaxed) != generation {
        return CellRead::Closed;
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_their_own_cells_and_stale_ids_read_closed() {
        let a = Registration::claim(2, 3).unwrap();
        a.cells()[4].store(7, Ordering::Relaxed);
        assert_eq!(read(a.id(), 1, 1), CellRead::Code(7));
        assert_eq!(read(a.id(), 2, 0), CellRead::OutOfRange);
        assert_eq!(read(a.id(), 0, 3), CellRead::OutOfRange);
        let old = a.id();
        a.retire();
        assert_eq!(read(old, 1, 1), CellRead::Closed);
        drop(a);
        // Whoever gets the slot next, the old id stays closed.
        let b = Registration::claim(2, 3).unwrap();
        b.cells()[4].store(1, Ordering::Relaxed);
        assert_eq!(read(old, 1, 1), CellRead::Closed);
        assert_eq!(read(b.id(), 1, 1), CellRead::Code(1));
        assert_eq!(read(0, 0, 0), CellRead::Closed);
        assert_eq!(read(u64::MAX, 0, 0), CellRead::Closed);
    }

    #[test]
    fn a_reused_slot_never_shows_a_larger_table_than_its_owner_declared() {
        let big = Registration::claim(10, 10).unwrap();
        let slot = big.slot;
        drop(big);
        let mut small = Vec::new();
        // Claim until we get the big slot back (other tests may hold slots meanwhile).
        for _ in 0..SLOTS {
            let r = Registration::claim(2, 2).unwrap();
            if r.slot == slot {
                assert_eq!(r.cells().len(), 4);
                assert_eq!(read(r.id(), 2, 0), CellRead::OutOfRange);
                return;
            }
            small.push(r);
        }
        panic!("the freed slot was never reused");
    }
}
