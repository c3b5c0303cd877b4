// Keeps static libraries with no other sources yet valid for CMake.
