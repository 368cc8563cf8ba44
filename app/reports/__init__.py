"""Report builders: plain data in, PDF bytes out (reportlab). No DB, no Qt."""
