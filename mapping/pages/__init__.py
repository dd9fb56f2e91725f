"""What each page, embed and export shows, without the web: the core that the views, the
``palmap render`` command and the notebooks share.

* :mod:`mapping.pages.text` - the translation function and numbers in the reader's language.
* :mod:`mapping.pages.errors` - the 400 (allowed values) and 404 (known items) of a query.
* :mod:`mapping.pages.query` - the typed, frozen query of every page, parsed once from its
  arguments (any mapping of strings: a request's args, a CLI's options, a notebook's dict).
* :mod:`mapping.pages.data` - the loaded data a page reads (frames, suppression, a memo).
* :mod:`mapping.pages.labels` - names of layers, units, sources and categories.
* :mod:`mapping.pages.indicator_map`, :mod:`~mapping.pages.comparison`,
  :mod:`~mapping.pages.targets`, :mod:`~mapping.pages.districts`,
  :mod:`~mapping.pages.resources`, :mod:`~mapping.pages.overview` - one core function per page.
* :mod:`mapping.pages.maps` - the folium maps of those pages (page, embed and standalone file).
* :mod:`mapping.pages.exports` - the PNG/SVG/PDF/HTML files, byte for byte the same for the same
  query, whoever asks.
"""
