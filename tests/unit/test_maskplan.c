/*
 * test_maskplan.c - the pure parts of the masking preflight: which column names look like
 * personal data (maskplan_pii_name) and which column types send their text as their binary
 * COPY form (maskplan_binary_ok).
 *
 * maskplan_pii_name splits a name into words (at non-letters and lower-to-upper case
 * changes) and matches them against a word list; a few words (email, phone, password,
 * birth, iban, ssn) also match inside a longer word; a name whose last word names a
 * reference or a property (address_id, email_count) does not match. The tables below pin
 * the current answers; where an answer is debatable, a comment says so.
 */
#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "coordinator/maskplan.h"

/* A column name and the word maskplan_pii_name should give for it (NULL: none). */
typedef struct pii_case {
    const char *column; /* the column name */
    const char *word;   /* the expected reason word, or NULL */
} pii_case_t;

/* Asserts every case of cases (n of them). */
static void
s_assert_cases(const pii_case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *got = maskplan_pii_name(cases[i].column);

        if (cases[i].word == NULL)
            ck_assert_msg(got == NULL, "%s: matched \"%s\", expected no match", cases[i].column,
                          got);
        else
            ck_assert_msg(got != NULL && strcmp(got, cases[i].word) == 0,
                          "%s: got %s, expected \"%s\"", cases[i].column, got ? got : "no match",
                          cases[i].word);
    }
}

START_TEST(test_pii_names)
{
    static const pii_case_t cases[] = {
        {"email", "email"},
        {"customer_email", "email"},
        {"EmailAddress", "email"}, /* camelCase: the first matching word wins */
        {"emailaddress", "email"}, /* folded to lower case by PostgreSQL: inside a word */
        {"e_mail", "mail"},        /* "e" and "mail": mail is a word of its own */
        {"email2", "email"},       /* digits split words */
        {"phone", "phone"},
        {"mobile_phone", "mobile"},
        {"phonenumber", "phone"},
        {"telephone", "phone"},
        {"ssn", "ssn"},
        {"SSN", "ssn"},
        {"first_name", "name"},
        {"last_name", "name"},
        {"firstName", "name"},
        {"name", "name"},
        {"surname", "surname"},
        {"username", "username"},
        {"home_address", "address"},
        {"date_of_birth", "birth"},
        {"dateofbirth", "birth"},
        {"birthdate", "birth"}, /* inside a word */
        {"dob", "dob"},
        {"ip", "ip"},
        {"ip_address", "ip"},
        {"last_login_ip", "ip"},
        {"client_ip", "ip"},
        {"userIp", "ip"},
        {"card_number", "card"},
        {"iban", "iban"},
        {"api_token", "token"},
        {"password", "password"},
        {"password_hash", "password"},
        {"passwordhash", "password"},
        {"zip_code", "zip"}, /* a postal code: quasi-identifying, a warning is fine */
        {"postcode", "postcode"},
        {"gender", "gender"},
        {"salary", "salary"},
        {"passport_no", "passport"},
        /* unquoted names are folded to lower case: whole-name words found inside */
        {"firstname", "firstname"},
        {"lastname", "lastname"},
        {"fullname", "fullname"},
        {"nickname", "nickname"},
        {"homeaddress", "address"},
        {"ipaddress", "address"},
        {"zipcode", "zipcode"},
        {"postalcode", "postalcode"},
        {"creditcard", "creditcard"},
        {"cardnumber", "cardnumber"},
        {"api_key", "api_key"},
        {"apikey", "apikey"},
        {"private_key", "private_key"},
        {"fname", "fname"},
        {"tel", "tel"},
        {"msisdn", "msisdn"},
        {"ipv4", "ipv"}, /* digits split words */
        {"sex", "sex"},
        {"customer_name", "name"}, /* a person's name */
    };

    s_assert_cases(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

START_TEST(test_pii_names_not)
{
    static const char *const names[] = {
        "id",
        "title",
        "description",
        "filename", /* one word: "name" only matches as a word of its own */
        "created_at",
        "updated_at",
        "amount",
        "status",
        "shipping", /* "ip" inside a word does not count */
        "shipped_at",
        "tip",
        "recipe",
        "zipper",
        "nameless",
        "mailbox_count",
        "quantity",
        "price",
        "",
        "_",
        "42",
        /* a reference to or a property of personal data, not the data itself */
        "address_id",
        "customer_email_id",
        "email_count",
        "phone_type",
        "email_verified",
        "birth_status",
        /* "ssn" only as a word: not inside classname, processname... */
        "classname",
        "processname",
        "businessname",
        "accessnode",
        /* a thing's name */
        "product_name",
        "table_name",
        "host_name",
        "file_name",
        /* timestamps and rates about personal data */
        "last_login_at",
        "token_expires_at",
        "mail_sent_at",
        "tax_rate",
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *got = maskplan_pii_name(names[i]);

        ck_assert_msg(got == NULL, "%s: matched \"%s\", expected no match", names[i], got);
    }
}
END_TEST

START_TEST(test_pii_names_long)
{
    /* names longer than the word and lower-case buffers: no overflow, still an answer */
    char name[200];

    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    ck_assert_ptr_null(maskplan_pii_name(name));
    memcpy(name + 150, "_email_", 7); /* a word after 150 characters */
    ck_assert_str_eq(maskplan_pii_name(name), "email");
    memcpy(name + 150, "xemailx", 7); /* inside a word: only the first 127 are searched */
    ck_assert_ptr_null(maskplan_pii_name(name));
    memset(name, 'x', sizeof(name) - 1);
    memcpy(name, "email_", 6);
    ck_assert_str_eq(maskplan_pii_name(name), "email");
}
END_TEST

START_TEST(test_binary_ok)
{
    ck_assert(maskplan_binary_ok("text"));
    ck_assert(maskplan_binary_ok("character varying"));
    ck_assert(maskplan_binary_ok("character varying(64)"));
    ck_assert(maskplan_binary_ok("character(11)"));
    ck_assert(maskplan_binary_ok("character"));
    ck_assert(!maskplan_binary_ok("integer"));
    ck_assert(!maskplan_binary_ok("bigint"));
    ck_assert(!maskplan_binary_ok("date"));
    ck_assert(!maskplan_binary_ok("timestamp with time zone"));
    ck_assert(!maskplan_binary_ok("json"));
    ck_assert(!maskplan_binary_ok("jsonb"));
    ck_assert(!maskplan_binary_ok("uuid"));
    ck_assert(!maskplan_binary_ok("inet"));
    ck_assert(!maskplan_binary_ok("\"char\""));
    ck_assert(!maskplan_binary_ok("text[]"));
    /* citext's binary form is its text too, but it is not listed: a masked citext column
     * makes the task fall back to text format, which is safe */
    ck_assert(!maskplan_binary_ok("citext"));
    ck_assert(!maskplan_binary_ok("character varying(64)[]"));
    ck_assert(!maskplan_binary_ok("character(11)[]"));
    ck_assert(!maskplan_binary_ok("characteristic"));
    ck_assert(!maskplan_binary_ok("character varying(x)"));
}
END_TEST

Suite *test_maskplan_suite(void);

Suite *
test_maskplan_suite(void)
{
    Suite *s = suite_create("maskplan");
    TCase *names = tcase_create("pii_name");
    TCase *types = tcase_create("binary_ok");

    tcase_add_test(names, test_pii_names);
    tcase_add_test(names, test_pii_names_not);
    tcase_add_test(names, test_pii_names_long);
    suite_add_tcase(s, names);
    tcase_add_test(types, test_binary_ok);
    suite_add_tcase(s, types);
    return s;
}
