"""palmap's OGC API - Features (Part 1 core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS; Part 3
queryables as query parameters), without Flask: the collections (:mod:`.collections`), their
encoded features (:mod:`.features`), the checked queries (:mod:`.query`), the CRS
(:mod:`.crs`), the JSON documents (:mod:`.documents`) and the OpenAPI document
(:mod:`.openapi`). ``app/views/ogc.py`` serves them."""
