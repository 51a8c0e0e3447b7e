// Known data stores and external APIs, recognised by URL scheme, host, port or package name.

export const DATASTORE_SCHEMES: Record<string, string> = {
  postgres: 'PostgreSQL',
  postgresql: 'PostgreSQL',
  redis: 'Redis',
  rediss: 'Redis',
  mongodb: 'MongoDB',
  'mongodb+srv': 'MongoDB',
  mysql: 'MySQL',
  mariadb: 'MySQL',
  amqp: 'RabbitMQ',
  amqps: 'RabbitMQ',
  nats: 'NATS',
  kafka: 'Kafka',
  mqtt: 'MQTT',
  sqlite: 'SQLite',
};

export const DATASTORE_PORTS: Record<number, string> = {
  5432: 'PostgreSQL',
  6379: 'Redis',
  27017: 'MongoDB',
  3306: 'MySQL',
  5672: 'RabbitMQ',
  9200: 'Elasticsearch',
  11211: 'Memcached',
  4222: 'NATS',
  9092: 'Kafka',
};

export const DATASTORE_PACKAGES: Record<string, string> = {
  pg: 'PostgreSQL',
  postgres: 'PostgreSQL',
  'pg-promise': 'PostgreSQL',
  psycopg2: 'PostgreSQL',
  'psycopg2-binary': 'PostgreSQL',
  psycopg: 'PostgreSQL',
  asyncpg: 'PostgreSQL',
  redis: 'Redis',
  ioredis: 'Redis',
  aioredis: 'Redis',
  mongoose: 'MongoDB',
  mongodb: 'MongoDB',
  pymongo: 'MongoDB',
  motor: 'MongoDB',
  mysql: 'MySQL',
  mysql2: 'MySQL',
  pymysql: 'MySQL',
  'mysql-connector-python': 'MySQL',
  sqlite3: 'SQLite',
  'better-sqlite3': 'SQLite',
  sqlite: 'SQLite',
  amqplib: 'RabbitMQ',
  pika: 'RabbitMQ',
  kafkajs: 'Kafka',
  '@elastic/elasticsearch': 'Elasticsearch',
  elasticsearch: 'Elasticsearch',
};

/** Compose/Docker images that are data stores. */
// The image name itself (postgres:17, bitnami/redis), not an exporter or tool named after it.
export const DATASTORE_IMAGES: Array<[RegExp, string]> = [
  [/(^|\/)(postgres|postgis|timescaledb)(:|@|$)|\$\{POSTGRES_IMAGE\b/, 'PostgreSQL'],
  [/(^|\/)(redis|valkey|keydb)(:|@|$)|\$\{REDIS_IMAGE\b/, 'Redis'],
  [/(^|\/)mongo(db)?(:|@|$)/, 'MongoDB'],
  [/(^|\/)(mysql|mariadb)(:|@|$)/, 'MySQL'],
  [/(^|\/)rabbitmq(:|@|$)/, 'RabbitMQ'],
  [/(^|\/)elasticsearch(:|@|$)/, 'Elasticsearch'],
];

/** The port an image's server listens on when its compose service or workload names none. */
export const IMAGE_PORTS: Array<[RegExp, number]> = [
  [/(^|\/)(postgres|postgis|timescaledb)(:|@|$)|\$\{POSTGRES_IMAGE\b/, 5432],
  [/(^|\/)(redis|valkey|keydb)(:|@|$)|\$\{REDIS_IMAGE\b/, 6379],
  [/(^|\/)mongo(db)?(:|@|$)/, 27017],
  [/(^|\/)(mysql|mariadb)(:|@|$)/, 3306],
  [/(^|\/)rabbitmq(:|@|$)/, 5672],
  [/(^|\/)elasticsearch(:|@|$)/, 9200],
  [/(^|\/)memcached(:|@|$)/, 11211],
  [/(^|\/)nats(:|@|$)/, 4222],
];

export const EXTERNAL_HOSTS: Array<[RegExp, string]> = [
  [/generativelanguage\.googleapis\.com/, 'Google AI (Gemini)'],
  [/aiplatform\.googleapis\.com/, 'Google Vertex AI'],
  [/firebaseio\.com|firestore\.googleapis\.com|firebase\.googleapis\.com|identitytoolkit\.googleapis\.com/, 'Firebase'],
  [/api\.openai\.com/, 'OpenAI'],
  [/api\.anthropic\.com/, 'Anthropic'],
  [/api\.stripe\.com/, 'Stripe'],
  [/api\.github\.com/, 'GitHub API'],
  [/hooks\.slack\.com|slack\.com\/api/, 'Slack'],
  [/api\.telegram\.org/, 'Telegram'],
  [/api\.sendgrid\.com/, 'SendGrid'],
  [/api\.twilio\.com/, 'Twilio'],
  [/amazonaws\.com/, 'AWS'],
  [/api\.mistral\.ai/, 'Mistral AI'],
  [/api\.cohere\.(ai|com)/, 'Cohere'],
  [/huggingface\.co/, 'Hugging Face'],
  [/googleapis\.com/, 'Google APIs'],
];

export const EXTERNAL_PACKAGES: Record<string, string> = {
  '@google/generative-ai': 'Google AI (Gemini)',
  '@google/genai': 'Google AI (Gemini)',
  'google-generativeai': 'Google AI (Gemini)',
  'google-genai': 'Google AI (Gemini)',
  google: 'Google APIs',
  firebase: 'Firebase',
  'firebase-admin': 'Firebase',
  firebase_admin: 'Firebase',
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  '@anthropic-ai/sdk': 'Anthropic',
  stripe: 'Stripe',
  twilio: 'Twilio',
  '@sendgrid/mail': 'SendGrid',
  sendgrid: 'SendGrid',
  'aws-sdk': 'AWS',
  boto3: 'AWS',
  '@slack/web-api': 'Slack',
  slack_sdk: 'Slack',
};

/** Hosts that appear in code without being dependencies (schemas, docs, licences). */
export const IGNORED_HOSTS =
  /(^|\.)(w3\.org|json-schema\.org|example\.(com|org|net)|schemas\.\w+|github\.com|githubusercontent\.com|npmjs\.(org|com)|pypi\.org|python\.org|nodejs\.org|mozilla\.org|apache\.org|opensource\.org|creativecommons\.org|docs\.\w+\.\w+|stackoverflow\.com|wikipedia\.org|fonts\.googleapis\.com|fonts\.gstatic\.com|cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|docker\.com|prometheus\.io|grafana\.com)$/;

export const LOOPBACK = new Set(['localhost', '127.0.0.1', '0.0.0.0', '::1', '[::1]', 'host.docker.internal']);

/** Env var names that name an external API's credentials. */
export const EXTERNAL_ENV: Array<[RegExp, string]> = [
  [/^(GEMINI|GOOGLE_AI|GOOGLE_GENAI)_API_KEY$/, 'Google AI (Gemini)'],
  [/^OPENAI_API_KEY$/, 'OpenAI'],
  [/^ANTHROPIC_API_KEY$/, 'Anthropic'],
  [/^FIREBASE_/, 'Firebase'],
  [/^STRIPE_(SECRET|API)_KEY$/, 'Stripe'],
  [/^SENDGRID_API_KEY$/, 'SendGrid'],
  [/^TWILIO_/, 'Twilio'],
];
