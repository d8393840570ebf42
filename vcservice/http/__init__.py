"""What the HTTP surfaces share: ``api/`` (the JSON API) and ``web/`` (the HTML pages).

Dependencies (:mod:`.deps`), problem details (:mod:`.problems`, :mod:`.models`), the request
limits middleware (:mod:`.limits`) and the verification lanes (:mod:`.scheduling`) sit here,
below both, so the pages never import the API and the app factory imports the pages at the
top like any other router: no import cycle, and no import hidden inside a function.
"""
