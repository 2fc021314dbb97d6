#!/usr/bin/env bash
# Exit 0 once the graph is open and a traversal runs (the probe of docker/local/janusgraph).
body='{"gremlin": "g.inject(1).count().next()"}'
curl -fsS --max-time 5 -X POST -H 'Content-Type: application/json' --data-binary "$body" \
  http://127.0.0.1:8182/ | grep -q '"result"'
