"""The published layer: disclosure control (``disclosure``), the product files and their data
dictionaries (``files``), and the catalog of everything published (``catalog``)."""
