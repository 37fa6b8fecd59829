"""Reports (manager+): what owners and managers look at, computed with SQL aggregates.

Layout: `routes.py` holds the blueprint, each report family its queries,
schemas and routes (`selling*` for dashboard, sales and top products,
`holdings*` for valuation, turnover, forecast and debtors); `args.py` the
query args every report shares and store scope; `source.py` the connection
reports read through (a replica when `REPORTS_DATABASE_URL` is set);
`export.py` the CSV and PDF renderings of a report.
"""
