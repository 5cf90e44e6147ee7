//! What a run produces, as plain rows: the vocabulary shared by the engine, which fills them, and the output,
//! which writes them. Nothing here simulates.

pub mod kinds;
pub mod run;
pub mod trace;
pub mod validation;
