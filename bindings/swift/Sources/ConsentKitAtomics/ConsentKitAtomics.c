// Everything lives in include/ConsentKitAtomics.h (static inline); SwiftPM needs one source file per C target.
#include "ConsentKitAtomics.h"
