"""Asset checks built from the contracts: the batch gate on every staged feed."""
