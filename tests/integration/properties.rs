//! Property tests of the pure core: merging and interpolation.
