-- Receipts, per install (docs/receipts.md; docs/adr/0009-receipts-partitioned-by-install.md).
-- Every table's key starts with install_id, the distribution column on Citus: one install's rows live together,
-- and every write touches exactly one install.

CREATE TABLE installs (
    install_id   text        PRIMARY KEY,
    public_key   bytea       NOT NULL,
    first_seen   timestamptz NOT NULL DEFAULT now(),
    -- The chain is stored without gaps up to here; later receipts wait in held_receipts.
    chained_seq  bigint      NOT NULL DEFAULT 0,
    chained_hash text        NOT NULL
);

CREATE TABLE receipts (
    install_id            text        NOT NULL,
    seq                   bigint      NOT NULL,
    receipt_hash          text        NOT NULL,
    previous_receipt_hash text        NOT NULL,
    at_ms                 bigint      NOT NULL,
    event                 text        NOT NULL,
    purpose_id            text        NOT NULL,
    definition_hash       text        NOT NULL,
    notice_version        text        NOT NULL,
    actor                 text        NOT NULL,
    source                text        NOT NULL,
    detail                text        NOT NULL,
    ledger_hash           text        NOT NULL,
    signature             bytea       NOT NULL,
    received_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (install_id, seq)
);
CREATE INDEX receipts_by_purpose ON receipts (purpose_id, notice_version, event);

-- Verified receipts that arrived ahead of a gap: moved to receipts when the gap is filled.
CREATE TABLE held_receipts (LIKE receipts INCLUDING DEFAULTS, PRIMARY KEY (install_id, seq));

-- Evidence of a rollback or tampering on a device: a receipt that disagrees with the one stored for its sequence
-- (or does not chain to it). Never deleted by the receiver.
CREATE TABLE forks (
    install_id     text        NOT NULL,
    id             bigserial,
    seq            bigint      NOT NULL,
    kind           text        NOT NULL,
    stored_hash    text        NOT NULL,
    offered_hash   text        NOT NULL,
    offered        jsonb       NOT NULL,
    detected_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (install_id, id)
);
-- A device retrying a forked batch records the evidence once.
CREATE UNIQUE INDEX forks_once ON forks (install_id, seq, offered_hash);
