"""The analyst's side: read the finished dataset back and show it to people.

``render`` writes the static HTML review report (page images with the
extracted cells outlined, next to the extracted rows); ``export`` writes the
tables as CSV or XLSX for colleagues in Excel. Both only read the dataset
(and, for the report, the source PDFs the manifest points to).
"""
