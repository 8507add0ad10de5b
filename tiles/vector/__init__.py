"""Vector tiles (Mapbox Vector Tile, MVT) of the territory: layers and zoom rules, the generalised
geometry per zoom band, the one statement that makes a tile, the tile cache and its invalidation,
and the TileJSON and style documents that describe them."""
