//! Empty: everything is in benches/peers.rs.
