-- A second fake service, to show the two never see each other's tables.
CREATE TABLE letters (
    id   TEXT PRIMARY KEY,
    body TEXT NOT NULL
);
