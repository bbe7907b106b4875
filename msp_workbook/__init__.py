"""msp_workbook: monthly in-arrears MSP billing for GFI resellers, in an Excel workbook."""

__version__ = "0.1.0"
