"""The subscriber portal: server-rendered pages over the same gate as the data API."""
