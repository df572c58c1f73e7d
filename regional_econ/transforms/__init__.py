"""Pure transforms from staged feeds to marts: Polars in, Polars out, no I/O."""
