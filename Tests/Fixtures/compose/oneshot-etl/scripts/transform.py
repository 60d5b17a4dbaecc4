import csv
import sys

src, dst = sys.argv[1], sys.argv[2]
with open(src, newline="") as fin, open(dst, "w", newline="") as fout:
    reader = csv.DictReader(fin)
    writer = csv.writer(fout)
    writer.writerow(["currency", "rate"])
    for row in reader:
        if row.get("rate"):
            writer.writerow([row["currency"].strip().upper(), float(row["rate"])])
