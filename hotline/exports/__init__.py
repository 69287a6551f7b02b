"""Export writers (CSV, XLSX, JSON) with an HXL hashtag row and a guard against spreadsheet formula injection."""
