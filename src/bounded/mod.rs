//! Work whose size the repository's content decides, kept within bounds: a
//! project's notes template (rendered in a child process with memory and
//! time limits) and a health check (killed with all its processes at its
//! timeout). A hostile or broken repository may make `rel` refuse; it must
//! never make it hang or exhaust the machine.

pub mod captured;
pub mod process_group;
pub mod template;
