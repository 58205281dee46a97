#!/usr/bin/env python3
"""Replace the route table between the routes markers in docs/api.md with `sanqu routes --markdown`."""
import subprocess
import sys

binary, doc = sys.argv[1], sys.argv[2]
table = subprocess.run([binary, 'routes', '--markdown'], check=True, capture_output=True, text=True).stdout
text = open(doc, encoding='utf-8').read()
begin, end = '<!-- routes:begin -->', '<!-- routes:end -->'
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(doc, 'w', encoding='utf-8').write(head + begin + '\n' + table + end + tail)
