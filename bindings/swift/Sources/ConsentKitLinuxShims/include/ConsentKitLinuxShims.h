// Nothing to import: the target only provides a symbol the Linux toolchain's libswiftObservation needs
// (ObservationShim.cpp).
