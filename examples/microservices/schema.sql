-- The example's database: users (password = 'secret' followed by the id) and orders, made with MariaDB's sequence
-- engine (seq_1_to_N) so that loading it takes a fraction of a second.
CREATE TABLE users (
  id INT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL UNIQUE,
  email VARCHAR(128) NOT NULL,
  password_hash CHAR(64) NOT NULL,
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE orders (
  id INT AUTO_INCREMENT PRIMARY KEY,
  user_id INT NOT NULL,
  item VARCHAR(64) NOT NULL,
  qty INT NOT NULL,
  created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  INDEX (user_id)
);
INSERT INTO users (name, email, password_hash)
  SELECT CONCAT('user', seq), CONCAT('user', seq, '@example.com'), SHA2(CONCAT('secret', seq), 256) FROM seq_1_to_2000;
INSERT INTO orders (user_id, item, qty)
  SELECT 1 + (seq * 7919) % 2000, CONCAT('item', seq % 50), 1 + seq % 5 FROM seq_1_to_5000;
