/** The exchange's own account: it holds the system books (deposits, revenue). */
export const EXCHANGE_ACCOUNT_ID = '00000000-0000-0000-0000-000000000000';
