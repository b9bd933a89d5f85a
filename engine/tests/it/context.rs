//! Context, prompt and post-processing on fixtures with a cursor marker.
