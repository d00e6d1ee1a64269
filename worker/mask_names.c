/*
 * mask_names.c - the built-in word lists of the name and address strategies.
 *
 * Made up for masking, not taken from any dataset of real people: common given and family
 * names from many languages and regions (transliterated to ASCII, so that every name is as
 * many characters as bytes and upper-cases simply), street names and street types. A name
 * may appear in both lists (Chen, Li). Changing a list changes masked outputs: append only
 * if outputs must stay stable across versions (the ledger records the rules, not the lists).
 */
#include "worker/mask_internal.h"

#include <string.h>

/* Given names: 481, from many languages, transliterated to ASCII. */
static const char *const s_first[] = {
    "James",     "Mary",     "John",      "Patricia",   "Robert",     "Jennifer",  "Michael",
    "Linda",     "William",  "Elizabeth", "David",      "Barbara",    "Richard",   "Susan",
    "Joseph",    "Jessica",  "Thomas",    "Sarah",      "Charles",    "Karen",     "Daniel",
    "Nancy",     "Matthew",  "Lisa",      "Anthony",    "Betty",      "Mark",      "Sandra",
    "Paul",      "Ashley",   "Steven",    "Emily",      "Andrew",     "Donna",     "Joshua",
    "Michelle",  "Kevin",    "Carol",     "Brian",      "Amanda",     "George",    "Melissa",
    "Edward",    "Deborah",  "Ryan",      "Rebecca",    "Jacob",      "Laura",     "Nicholas",
    "Helen",     "Eric",     "Anna",      "Jonathan",   "Emma",       "Samuel",    "Grace",
    "Henry",     "Olivia",   "Noah",      "Sophia",     "Liam",       "Chloe",     "Ethan",
    "Hannah",    "Lucas",    "Zoe",       "Oliver",     "Ella",       "Leo",       "Ruby",
    "Jack",      "Alice",    "Harry",     "Isla",       "Oscar",      "Freya",     "Arthur",
    "Poppy",     "Theo",     "Evie",      "Alfie",      "Daisy",      "Jose",      "Maria",
    "Juan",      "Carmen",   "Luis",      "Ana",        "Carlos",     "Lucia",     "Miguel",
    "Sofia",     "Javier",   "Isabel",    "Diego",      "Elena",      "Alejandro", "Paula",
    "Pablo",     "Marta",    "Sergio",    "Laia",       "Mateo",      "Valentina", "Santiago",
    "Camila",    "Andres",   "Gabriela",  "Rafael",     "Ximena",     "Joao",      "Beatriz",
    "Tiago",     "Ines",     "Rodrigo",   "Mariana",    "Pedro",      "Leonor",    "Pierre",
    "Camille",   "Louis",    "Manon",     "Hugo",       "Antoine",    "Juliette",  "Mathis",
    "Lea",       "Julien",   "Margaux",   "Nicolas",    "Elodie",     "Lukas",     "Lena",
    "Felix",     "Mia",      "Jonas",     "Hanna",      "Maximilian", "Leonie",    "Clara",
    "Finn",      "Greta",    "Moritz",    "Ida",        "Marco",      "Giulia",    "Luca",
    "Chiara",    "Matteo",   "Francesca", "Alessandro", "Martina",    "Lorenzo",   "Aurora",
    "Giovanni",  "Alessia",  "Lars",      "Ingrid",     "Erik",       "Astrid",    "Nils",
    "Sigrid",    "Anders",   "Freja",     "Mikkel",     "Linnea",     "Soren",     "Maja",
    "Olav",      "Elin",     "Jan",       "Katarzyna",  "Piotr",      "Agnieszka", "Tomasz",
    "Magdalena", "Pawel",    "Zofia",     "Lukasz",     "Natalia",    "Jakub",     "Aleksandra",
    "Ivan",      "Olga",     "Dmitri",    "Tatiana",    "Sergei",     "Irina",     "Alexei",
    "Svetlana",  "Nikolai",  "Ekaterina", "Andrei",     "Yulia",      "Mikhail",   "Anastasia",
    "Petr",      "Vera",     "Bohdan",    "Oksana",     "Taras",      "Halyna",    "Ahmed",
    "Fatima",    "Mohamed",  "Aisha",     "Omar",       "Layla",      "Ali",       "Mariam",
    "Hassan",    "Noor",     "Youssef",   "Salma",      "Karim",      "Yasmin",    "Khalid",
    "Zainab",    "Tariq",    "Huda",      "Samir",      "Rania",      "Bilal",     "Amira",
    "Hamza",     "Leila",    "Mehmet",    "Ayse",       "Mustafa",    "Elif",      "Emre",
    "Zeynep",    "Burak",    "Merve",     "Can",        "Deniz",      "Cem",       "Selin",
    "Reza",      "Shirin",   "Dariush",   "Parisa",     "Kian",       "Nasrin",    "Arash",
    "Roya",      "Avi",      "Noa",       "Eitan",      "Tamar",      "Yosef",     "Shira",
    "Ariel",     "Yael",     "Nikos",     "Eleni",      "Giorgos",    "Katerina",  "Dimitris",
    "Yannis",    "Ioanna",   "Rahul",     "Priya",      "Amit",       "Anjali",    "Vikram",
    "Deepa",     "Arjun",    "Kavya",     "Rohan",      "Sneha",      "Sanjay",    "Pooja",
    "Aditya",    "Lakshmi",  "Ravi",      "Divya",      "Karan",      "Meera",     "Nikhil",
    "Shreya",    "Imran",    "Ayesha",    "Farhan",     "Nadia",      "Rajesh",    "Sunita",
    "Wei",       "Mei",      "Jun",       "Lan",        "Hao",        "Xiu",       "Jian",
    "Ying",      "Lei",      "Hui",       "Ming",       "Fang",       "Chen",      "Li",
    "Yong",      "Na",       "Tao",       "Jing",       "Bo",         "Qing",      "Haruto",
    "Yui",       "Sota",     "Hina",      "Ren",        "Aoi",        "Yuto",      "Sakura",
    "Kaito",     "Mio",      "Riku",      "Akari",      "Hiroshi",    "Yuki",      "Kenji",
    "Emi",       "Minjun",   "Seoyeon",   "Jiho",       "Jiwoo",      "Hyun",      "Sujin",
    "Joon",      "Eunji",    "Taeyang",   "Hana",       "Minh",       "Tuan",      "Linh",
    "Duc",       "Thao",     "Hung",      "Mai",        "Quang",      "Huong",     "Maricel",
    "Angelica",  "Paolo",    "Kristine",  "Budi",       "Siti",       "Agus",      "Dewi",
    "Rizky",     "Putri",    "Wayan",     "Ayu",        "Somchai",    "Malee",     "Niran",
    "Ploy",      "Chidi",    "Ngozi",     "Emeka",      "Adaeze",     "Obinna",    "Chiamaka",
    "Tunde",     "Folake",   "Segun",     "Yetunde",    "Kwame",      "Ama",       "Kofi",
    "Akosua",    "Yaw",      "Abena",     "Jabari",     "Amani",      "Baraka",    "Zawadi",
    "Juma",      "Neema",    "Tendai",    "Chipo",      "Thabo",      "Lerato",    "Sipho",
    "Nomvula",   "Kagiso",   "Naledi",    "Tesfaye",    "Selam",      "Dawit",     "Hiwot",
    "Moussa",    "Aminata",  "Ibrahima",  "Fatou",      "Mamadou",    "Awa",       "Aroha",
    "Tane",      "Manaia",   "Kiri",      "Nalani",     "Keoni",      "Leilani",   "Kai",
    "Guadalupe", "Rosa",     "Jorge",     "Alicia",     "Fernando",   "Ricardo",   "Adriana",
    "Eduardo",   "Veronica", "Hector",    "Raul",       "Monica",     "Ernesto",   "Silvia",
    "Aiyana",    "Takoda",   "Winona",    "Dakota",     "Seamus",     "Siobhan",   "Declan",
    "Aoife",     "Niamh",    "Cormac",    "Eoin",       "Ciara",      "Rhys",      "Cerys",
    "Dylan",     "Megan",    "Gareth",    "Bethan",     "Ewan",       "Callum",    "Eilidh",
    "Fraser",    "Morag",    "Zoltan",    "Eszter",     "Bence",      "Reka",      "Gabor",
    "Zsofia",    "Mihai",    "Ioana",     "Radu",       "Bianca",     "Jiri",      "Tereza",
    "Ondrej",    "Vojtech",  "Barbora",   "Aino",       "Eero",       "Saara",     "Juho",
    "Venla",     "Otso",     "Gustavo",   "Fernanda",   "Thiago",     "Larissa",   "Bruno",
    "Leticia",   "Vinicius", "Alana",     "Malik",      "Jamal",      "Keisha",    "Darnell",
    "Tanisha",   "Andre",    "Imani",     "Xavier",     "Aaliyah",
};

/* Family names: 430, from many languages, transliterated to ASCII. */
static const char *const s_last[] = {
    "Smith",        "Johnson",    "Williams",   "Brown",      "Jones",      "Miller",
    "Davis",        "Wilson",     "Anderson",   "Taylor",     "Thomas",     "Moore",
    "Martin",       "Jackson",    "Thompson",   "White",      "Harris",     "Clark",
    "Lewis",        "Robinson",   "Walker",     "Young",      "Allen",      "King",
    "Wright",       "Scott",      "Hill",       "Green",      "Adams",      "Baker",
    "Nelson",       "Carter",     "Mitchell",   "Roberts",    "Turner",     "Phillips",
    "Campbell",     "Parker",     "Evans",      "Edwards",    "Collins",    "Stewart",
    "Morris",       "Murphy",     "Cook",       "Rogers",     "Morgan",     "Cooper",
    "Peterson",     "Reed",       "Bailey",     "Bell",       "Kelly",      "Howard",
    "Ward",         "Cox",        "Richardson", "Wood",       "Watson",     "Brooks",
    "Bennett",      "Gray",       "Hughes",     "Price",      "Sanders",    "Myers",
    "Long",         "Foster",     "Garcia",     "Rodriguez",  "Martinez",   "Hernandez",
    "Lopez",        "Gonzalez",   "Perez",      "Sanchez",    "Ramirez",    "Torres",
    "Flores",       "Rivera",     "Gomez",      "Diaz",       "Cruz",       "Reyes",
    "Morales",      "Ortiz",      "Gutierrez",  "Chavez",     "Ramos",      "Castillo",
    "Jimenez",      "Vasquez",    "Romero",     "Herrera",    "Medina",     "Aguilar",
    "Vargas",       "Castro",     "Mendoza",    "Ruiz",       "Alvarez",    "Silva",
    "Santos",       "Oliveira",   "Souza",      "Costa",      "Pereira",    "Almeida",
    "Ferreira",     "Carvalho",   "Rocha",      "Ribeiro",    "Barbosa",    "Gomes",
    "Lima",         "Dubois",     "Durand",     "Lefebvre",   "Moreau",     "Laurent",
    "Simon",        "Michel",     "Leroy",      "Roux",       "Fournier",   "Girard",
    "Bonnet",       "Dupont",     "Lambert",    "Fontaine",   "Rousseau",   "Vincent",
    "Muller",       "Schmidt",    "Schneider",  "Fischer",    "Weber",      "Meyer",
    "Wagner",       "Becker",     "Schulz",     "Hoffmann",   "Koch",       "Richter",
    "Klein",        "Wolf",       "Neumann",    "Schwarz",    "Zimmermann", "Braun",
    "Hartmann",     "Lange",      "Rossi",      "Russo",      "Ferrari",    "Esposito",
    "Bianchi",      "Romano",     "Colombo",    "Ricci",      "Marino",     "Greco",
    "Bruno",        "Gallo",      "Conti",      "DeLuca",     "Mancini",    "Giordano",
    "Rizzo",        "Lombardi",   "Moretti",    "Jansen",     "DeVries",    "VanDijk",
    "Bakker",       "Visser",     "Smit",       "Meijer",     "DeBoer",     "Mulder",
    "Bos",          "Hansen",     "Johansen",   "Nielsen",    "Jensen",     "Pedersen",
    "Andersen",     "Larsen",     "Olsen",      "Eriksson",   "Lindberg",   "Berg",
    "Nilsson",      "Lindqvist",  "Virtanen",   "Korhonen",   "Nieminen",   "Makinen",
    "Laine",        "Nowak",      "Kowalski",   "Wisniewski", "Wojcik",     "Kaminski",
    "Lewandowski",  "Zielinski",  "Szymanski",  "Dabrowski",  "Ivanov",     "Smirnov",
    "Kuznetsov",    "Popov",      "Sokolov",    "Lebedev",    "Kozlov",     "Novikov",
    "Morozov",      "Volkov",     "Petrenko",   "Shevchenko", "Kovalenko",  "Bondarenko",
    "Horvath",      "Nagy",       "Kovacs",     "Toth",       "Szabo",      "Popescu",
    "Ionescu",      "Dumitru",    "Novak",      "Dvorak",     "Svoboda",    "Cerny",
    "Papadopoulos", "Georgiou",   "Nikolaidis", "Pappas",     "Yilmaz",     "Kaya",
    "Demir",        "Sahin",      "Celik",      "Yildiz",     "Aydin",      "Ozturk",
    "Arslan",       "Dogan",      "Haddad",     "Khalil",     "Nasser",     "Hamdan",
    "Mansour",      "Saleh",      "Farouk",     "Rahman",     "Hussain",    "Aziz",
    "Karimi",       "Hosseini",   "Ahmadi",     "Rezaei",     "Moradi",     "Cohen",
    "Levi",         "Mizrahi",    "Peretz",     "Friedman",   "Katz",       "Sharma",
    "Patel",        "Singh",      "Kumar",      "Gupta",      "Reddy",      "Iyer",
    "Nair",         "Menon",      "Das",        "Bose",       "Chatterjee", "Banerjee",
    "Mehta",        "Joshi",      "Rao",        "Desai",      "Kapoor",     "Malhotra",
    "Verma",        "Khan",       "Ahmed",      "Chowdhury",  "Siddiqui",   "Qureshi",
    "Wang",         "Li",         "Zhang",      "Liu",        "Chen",       "Yang",
    "Huang",        "Zhao",       "Wu",         "Zhou",       "Xu",         "Sun",
    "Ma",           "Zhu",        "Hu",         "Guo",        "He",         "Lin",
    "Luo",          "Gao",        "Sato",       "Suzuki",     "Takahashi",  "Tanaka",
    "Watanabe",     "Ito",        "Yamamoto",   "Nakamura",   "Kobayashi",  "Kato",
    "Yoshida",      "Yamada",     "Sasaki",     "Matsumoto",  "Inoue",      "Kimura",
    "Kim",          "Lee",        "Park",       "Choi",       "Jung",       "Kang",
    "Cho",          "Yoon",       "Jang",       "Lim",        "Nguyen",     "Tran",
    "Le",           "Pham",       "Hoang",      "Phan",       "Vu",         "Dang",
    "Bui",          "Do",         "Bautista",   "Ocampo",     "Aquino",     "Wijaya",
    "Susanto",      "Hartono",    "Setiawan",   "Saputra",    "Okafor",     "Okonkwo",
    "Adeyemi",      "Adebayo",    "Eze",        "Nwosu",      "Balogun",    "Ogunleye",
    "Mensah",       "Owusu",      "Boateng",    "Asante",     "Mwangi",     "Otieno",
    "Kamau",        "Wanjiru",    "Ndlovu",     "Dlamini",    "Khumalo",    "Nkosi",
    "Mokoena",      "Tshabalala", "Diallo",     "Traore",     "Keita",      "Toure",
    "Sow",          "Ndiaye",     "Haile",      "Tesfaye",    "Bekele",     "Girma",
    "Kealoha",      "Kahale",     "Ngata",      "Parata",     "Tipene",     "Brennan",
    "Walsh",        "Byrne",      "Ryan",       "Doyle",      "McCarthy",   "Gallagher",
    "Quinn",        "Kennedy",    "Lynch",      "MacLeod",    "Fraser",     "Robertson",
    "Davies",       "Jenkins",    "Fernandes",  "Pinto",      "Moreira",    "Teixeira",
    "Cardoso",      "Martins",    "Alvarado",   "Salazar",    "Fuentes",    "Navarro",
    "Molina",       "Delgado",    "Vega",       "Rios",       "Ibarra",     "Acosta",
    "Begay",        "Yazzie",     "Tsosie",     "Benally",
};

/* Street names: 173. */
static const char *const s_streets[] = {
    "Maple",      "Oak",       "Pine",        "Cedar",       "Elm",        "Birch",     "Willow",
    "Aspen",      "Spruce",    "Walnut",      "Chestnut",    "Sycamore",   "Magnolia",  "Juniper",
    "Hickory",    "Poplar",    "Alder",       "Cypress",     "Laurel",     "Holly",     "Hawthorn",
    "Linden",     "Redwood",   "Sequoia",     "Dogwood",     "Mulberry",   "Main",      "Church",
    "High",       "Park",      "Mill",        "School",      "Station",    "Bridge",    "Market",
    "Water",      "Spring",    "River",       "Lake",        "Hill",       "Valley",    "Meadow",
    "Forest",     "Garden",    "Orchard",     "Harbor",      "Bay",        "Ocean",     "Beach",
    "Sunset",     "Sunrise",   "Highland",    "Lakeview",    "Riverside",  "Hillcrest", "Fairview",
    "Pleasant",   "Prospect",  "Ridge",       "Summit",      "Glen",       "Brook",     "Creek",
    "Pond",       "Grove",     "Field",       "Meadowbrook", "Washington", "Lincoln",   "Jefferson",
    "Madison",    "Franklin",  "Adams",       "Jackson",     "Monroe",     "Hamilton",  "Grant",
    "Wilson",     "Kingston",  "Victoria",    "Albert",      "Queen",      "King",      "Prince",
    "Duke",       "Regent",    "Windsor",     "Oxford",      "Cambridge",  "York",      "Bristol",
    "Chester",    "Dover",     "Ashford",     "Bedford",     "Camden",     "Clifton",   "Elmwood",
    "Kensington", "Lancaster", "Marlborough", "Newport",     "Richmond",   "Salisbury", "Stratford",
    "Wellington", "Whitmore",  "Ashland",     "Brookside",   "Clearwater", "Crestview", "Deerfield",
    "Eastwood",   "Foxhall",   "Greenfield",  "Hartwell",    "Ivy",        "Kingsley",  "Lakeshore",
    "Millbrook",  "Northgate", "Oakridge",    "Parkside",    "Quarry",     "Rosewood",  "Southgate",
    "Thornbury",  "Upland",    "Westfield",   "Woodland",    "First",      "Second",    "Third",
    "Fourth",     "Fifth",     "Sixth",       "Seventh",     "Eighth",     "Ninth",     "Tenth",
    "Lilac",      "Rose",      "Tulip",       "Daisy",       "Clover",     "Heather",   "Fern",
    "Sage",       "Thyme",     "Canal",       "Harbour",     "Pier",       "Dock",      "Wharf",
    "Mission",    "Plaza",     "Union",       "Liberty",     "Commerce",   "Central",   "College",
    "University", "Academy",   "Temple",      "Abbey",       "Chapel",     "Castle",    "Tower",
    "Gate",       "Wall",      "Green",       "Common",      "Square",
};

/* Street types: 24. */
static const char *const s_types[] = {
    "Street", "Avenue",  "Road",   "Lane",  "Drive",   "Boulevard", "Way",   "Court",
    "Place",  "Terrace", "Circle", "Trail", "Parkway", "Row",       "Close", "Crescent",
    "Square", "Alley",   "Path",   "Walk",  "Grove",   "Gardens",   "Hill",  "View",
};

/* Number of items of a static array. */
#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

const mask_list_t mask_first_names = {s_first, S_COUNT(s_first)};
const mask_list_t mask_last_names = {s_last, S_COUNT(s_last)};
const mask_list_t mask_street_names = {s_streets, S_COUNT(s_streets)};
const mask_list_t mask_street_types = {s_types, S_COUNT(s_types)};

void
mask_list_lengths(const mask_list_t *list, size_t *shortest, size_t *longest)
{
    *shortest = SIZE_MAX;
    *longest = 0;
    for (size_t i = 0; i < list->count; i++) {
        size_t n = strlen(list->items[i]);

        *shortest = n < *shortest ? n : *shortest;
        *longest = n > *longest ? n : *longest;
    }
}
