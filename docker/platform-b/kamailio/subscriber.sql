-- Platform B's agent accounts for Kamailio's auth_db (database "kamailio"), applied by
-- `ccinspect demo up --platform b` on every start. Kamailio 5.6 checks the table versions.
CREATE TABLE IF NOT EXISTS version (
    table_name VARCHAR(32) NOT NULL,
    table_version INTEGER DEFAULT 0 NOT NULL,
    CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
CREATE TABLE IF NOT EXISTS subscriber (
    id SERIAL PRIMARY KEY NOT NULL,
    username VARCHAR(64) DEFAULT '' NOT NULL,
    domain VARCHAR(64) DEFAULT '' NOT NULL,
    password VARCHAR(64) DEFAULT '' NOT NULL,
    ha1 VARCHAR(128) DEFAULT '' NOT NULL,
    ha1b VARCHAR(128) DEFAULT '' NOT NULL,
    CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
);
INSERT INTO version (table_name, table_version) VALUES ('subscriber', 7)
    ON CONFLICT (table_name) DO UPDATE SET table_version = EXCLUDED.table_version;
DELETE FROM subscriber;
INSERT INTO subscriber (username, domain, password) VALUES
    ('100101', 'ccb.local', 'ccb-agent-100101'),
    ('100102', 'ccb.local', 'ccb-agent-100102'),
    ('100103', 'ccb.local', 'ccb-agent-100103'),
    ('100104', 'ccb.local', 'ccb-agent-100104'),
    ('100105', 'ccb.local', 'ccb-agent-100105');
