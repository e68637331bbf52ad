"""Access expectations of the attachments area.

Files are visit content: outside the team they do not exist (404); an
upload to a visit of another team is refused (403). A POST without a file
fails validation (422) and stores nothing.
"""

from tests.access_rows import Row, expect

ROWS: dict[tuple[str, str], Row] = {
    ("attachments.upload", "POST"): ({"caption": "No file"}, expect(302, 422, 403, 422, 403)),
    ("attachments.download", "GET"): (None, expect(302, 200, 404, 200, 404)),
}
