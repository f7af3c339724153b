/*
 * name_parts.h — given names and family names of many origins for the
 * screening benchmarks: plausible visitors who are on no list (false alert
 * rate) and the synthetic million-name list (speed).  Common names only,
 * spelt as they are usually written in Latin script.
 */
#ifndef CH_BENCH_NAME_PARTS_H
#define CH_BENCH_NAME_PARTS_H

#include <stddef.h>

struct name_origin {
	const char *origin;
	const char *const *given;
	const char *const *family;
};

static const char *const given_en[] = {"James", "Mary", "John", "Patricia",
    "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David",
    "Susan", "Richard", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
    "Christopher", "Nancy", "Daniel", "Lisa", "Matthew", "Emily", "Andrew",
    "Olivia", "Joshua", "Chloe", "George", "Hannah", NULL};
static const char *const family_en[] = {"Smith", "Johnson", "Williams", "Brown",
    "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Moore",
    "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker",
    "Hall", "Young", "Wright", "Hughes", "Evans", "Roberts", "Cooper",
    "Bennett", "Fletcher", "Gardner", "Holmes", "Parker", NULL};
static const char *const given_ar[] = {"Ahmed", "Mohamed", "Omar", "Youssef",
    "Khaled", "Tarek", "Karim", "Samir", "Nabil", "Walid", "Hassan", "Hussein",
    "Mahmoud", "Mustafa", "Rami", "Fadi", "Ziad", "Bilal", "Amina", "Fatima",
    "Layla", "Mariam", "Nour", "Rania", "Salma", "Yasmin", "Huda", "Dina",
    "Sami", "Adel", NULL};
static const char *const family_ar[] = {"Haddad", "Khoury", "Nassar", "Saleh",
    "Mansour", "Farouk", "Hamdan", "Sabbagh", "Aziz", "Qasim", "Darwish",
    "Shami", "Masri", "Halabi", "Jaber", "Sharif", "Bakri", "Tamimi", "Zoubi",
    "Khatib", "Najjar", "Attar", "Sayegh", "Barakat", "Issa", "Rashed",
    "Hijazi", "Saadeh", "Odeh", "Karam", NULL};
static const char *const given_ru[] = {"Alexander", "Dmitry", "Sergei",
    "Andrei", "Alexei", "Ivan", "Mikhail", "Nikolai", "Pavel", "Yuri",
    "Vladislav", "Konstantin", "Oleg", "Igor", "Boris", "Anna", "Olga",
    "Tatiana", "Natalia", "Elena", "Irina", "Svetlana", "Ekaterina", "Yulia",
    "Maria", "Ksenia", "Daria", "Polina", "Vera", "Anastasia", NULL};
static const char *const family_ru[] = {"Smirnov", "Kuznetsov", "Popov",
    "Vasiliev", "Sokolov", "Mikhailov", "Novikov", "Fedorov", "Morozov",
    "Volkov", "Alekseev", "Lebedev", "Semenov", "Egorov", "Pavlov", "Kozlov",
    "Stepanov", "Nikolaev", "Orlov", "Andreev", "Makarov", "Zakharov",
    "Zaitsev", "Solovyov", "Borisov", "Yakovlev", "Grigoriev", "Romanov",
    "Vorobyov", "Sergeev", NULL};
static const char *const given_zh[] = {"Wei", "Fang", "Min", "Jing", "Li",
    "Qiang", "Lei", "Jun", "Yang", "Yan", "Jie", "Tao", "Ming", "Chao", "Xiu",
    "Hua", "Ping", "Gang", "Hong", "Xin", "Yi", "Hui", "Lan", "Bo", "Dan",
    "Ning", "Kai", "Rui", "Hao", "Yu", NULL};
static const char *const family_zh[] = {"Wang", "Zhang", "Liu", "Chen", "Yang",
    "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He",
    "Gao", "Lin", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang", "Han", "Feng",
    "Deng", "Cao", "Peng", "Zeng", NULL};
static const char *const given_es[] = {"Jose", "Juan", "Carlos", "Luis",
    "Miguel", "Javier", "Alejandro", "Fernando", "Pablo", "Diego", "Sergio",
    "Jorge", "Alberto", "Raul", "Ricardo", "Lucia", "Carmen", "Isabel", "Laura",
    "Marta", "Elena", "Paula", "Sofia", "Valentina", "Camila", "Gabriela",
    "Daniela", "Andrea", "Rosa", "Teresa", NULL};
static const char *const family_es[] = {"Garcia", "Rodriguez", "Martinez",
    "Lopez", "Gonzalez", "Perez", "Sanchez", "Ramirez", "Torres", "Flores",
    "Rivera", "Gomez", "Diaz", "Morales", "Ortiz", "Castillo", "Jimenez",
    "Ruiz", "Alvarez", "Romero", "Navarro", "Dominguez", "Vazquez", "Ramos",
    "Gil", "Serrano", "Blanco", "Molina", "Suarez", "Herrera", NULL};
static const char *const given_de[] = {"Lukas", "Jonas", "Felix", "Maximilian",
    "Leon", "Paul", "Finn", "Elias", "Tobias", "Stefan", "Jürgen", "Klaus",
    "Wolfgang", "Dieter", "Uwe", "Anna", "Lena", "Lea", "Leonie", "Marie",
    "Katharina", "Sabine", "Petra", "Monika", "Ursula", "Ingrid", "Birgit",
    "Heike", "Greta", "Frieda", NULL};
static const char *const family_de[] = {"Müller", "Schmidt", "Schneider",
    "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
    "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
    "Werner", "Krause", "Lehmann", "Köhler", "Maier", "Huber", NULL};
static const char *const given_fr[] = {"Jean", "Pierre", "Michel", "André",
    "Philippe", "Nicolas", "Julien", "Antoine", "Mathieu", "Guillaume",
    "Olivier", "Sébastien", "Thierry", "Hugo", "Louis", "Marie", "Nathalie",
    "Isabelle", "Sylvie", "Catherine", "Camille", "Manon", "Chloé", "Emma",
    "Juliette", "Aurélie", "Céline", "Sandrine", "Amélie", "Margaux", NULL};
static const char *const family_fr[] = {"Martin", "Bernard", "Dubois", "Thomas",
    "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefebvre", "Michel", "Garnier", "Rousseau", "Fontaine",
    "Chevalier", "Mercier", "Blanchard", "Girard", "Bonnet", "Dupont",
    "Lambert", "Faure", "Boyer", "Lemoine", "Renard", "Picard", "Gauthier",
    NULL};
static const char *const given_in[] = {"Aarav", "Vivaan", "Aditya", "Arjun",
    "Rohan", "Rahul", "Amit", "Sanjay", "Vikram", "Rajesh", "Suresh", "Anil",
    "Deepak", "Manish", "Karthik", "Priya", "Ananya", "Aditi", "Kavya", "Neha",
    "Pooja", "Sneha", "Divya", "Lakshmi", "Meera", "Shreya", "Nisha", "Sunita",
    "Anjali", "Riya", NULL};
static const char *const family_in[] = {"Sharma", "Verma", "Gupta", "Singh",
    "Kumar", "Patel", "Reddy", "Nair", "Iyer", "Menon", "Rao", "Joshi", "Mehta",
    "Shah", "Desai", "Kulkarni", "Pillai", "Chatterjee", "Banerjee",
    "Mukherjee", "Das", "Bose", "Sinha", "Mishra", "Pandey", "Chopra",
    "Malhotra", "Kapoor", "Bhat", "Agarwal", NULL};
static const char *const given_af[] = {"Kwame", "Kofi", "Ama", "Abena",
    "Chinedu", "Chiamaka", "Emeka", "Ngozi", "Oluwaseun", "Adebayo", "Folake",
    "Tunde", "Babajide", "Thandiwe", "Sipho", "Lerato", "Thabo", "Nomvula",
    "Wanjiru", "Kamau", "Otieno", "Achieng", "Baraka", "Zawadi", "Amadou",
    "Aissatou", "Moussa", "Fatou", "Ibrahima", "Mariama", NULL};
static const char *const family_af[] = {"Mensah", "Owusu", "Boateng", "Asante",
    "Okafor", "Okonkwo", "Adeyemi", "Balogun", "Eze", "Nwosu", "Dlamini",
    "Nkosi", "Ndlovu", "Khumalo", "Mokoena", "Mwangi", "Njoroge", "Ochieng",
    "Wambui", "Kiplagat", "Diallo", "Traore", "Keita", "Coulibaly", "Ndiaye",
    "Sow", "Camara", "Toure", "Sy", "Fofana", NULL};
static const char *const given_tr[] = {"Mehmet", "Mustafa", "Ahmet", "Ali",
    "Hüseyin", "Hasan", "Ibrahim", "Ismail", "Osman", "Yusuf", "Murat", "Emre",
    "Burak", "Can", "Kerem", "Ayse", "Fatma", "Emine", "Hatice", "Zeynep",
    "Elif", "Merve", "Esra", "Büsra", "Derya", "Ebru", "Gül", "Selin", "Ece",
    "Deniz", NULL};
static const char *const family_tr[] = {"Yilmaz", "Kaya", "Demir", "Sahin",
    "Celik", "Yildiz", "Yildirim", "Öztürk", "Aydin", "Özdemir", "Arslan",
    "Dogan", "Kilic", "Aslan", "Cetin", "Kara", "Koc", "Kurt", "Özkan",
    "Simsek", "Polat", "Korkmaz", "Erdogan", "Aktas", "Güler", "Tekin", "Bulut",
    "Keskin", "Ünal", "Acar", NULL};
static const char *const given_fa[] = {"Reza", "Amir", "Ali", "Hossein",
    "Mehdi", "Saeed", "Hamid", "Majid", "Behnam", "Arash", "Babak", "Dariush",
    "Farhad", "Kamran", "Navid", "Parisa", "Shirin", "Maryam", "Zahra", "Leila",
    "Nasrin", "Roya", "Mina", "Neda", "Sara", "Azadeh", "Golnar", "Mahsa",
    "Setareh", "Yasaman", NULL};
static const char *const family_fa[] = {"Ahmadi", "Hosseini", "Mohammadi",
    "Rezaei", "Moradi", "Karimi", "Jafari", "Rahimi", "Ghasemi", "Kazemi",
    "Sadeghi", "Mousavi", "Heidari", "Najafi", "Amini", "Shirazi", "Tehrani",
    "Esfahani", "Farahani", "Bagheri", "Nouri", "Salehi", "Hashemi", "Akbari",
    "Abbasi", "Ebrahimi", "Yazdani", "Soltani", "Zamani", "Ranjbar", NULL};
static const char *const given_vi[] = {"Anh", "Minh", "Huy", "Duc", "Tuan",
    "Khoa", "Long", "Nam", "Phong", "Quang", "Thanh", "Trung", "Vinh", "Bao",
    "Hieu", "Lan", "Linh", "Mai", "Ngoc", "Phuong", "Thao", "Trang", "Hoa",
    "Huong", "Thu", "Van", "Yen", "Giang", "Ha", "Nhung", NULL};
static const char *const family_vi[] = {"Nguyen", "Tran", "Le", "Pham", "Hoang",
    "Phan", "Vu", "Dang", "Bui", "Do", "Ho", "Ngo", "Duong", "Ly", "Truong",
    "Dinh", "Lam", "Mai", "Trinh", "Luong", NULL};
static const char *const given_pl[] = {"Piotr", "Krzysztof", "Andrzej",
    "Tomasz", "Pawel", "Marcin", "Michal", "Jakub", "Kamil", "Lukasz",
    "Grzegorz", "Wojciech", "Agnieszka", "Katarzyna", "Malgorzata", "Joanna",
    "Magdalena", "Ewa", "Zofia", "Barbara", NULL};
static const char *const family_pl[] = {"Nowak", "Kowalski", "Wisniewski",
    "Wojcik", "Kowalczyk", "Kaminski", "Lewandowski", "Zielinski", "Szymanski",
    "Wozniak", "Dabrowski", "Kozlowski", "Jankowski", "Mazur", "Kwiatkowski",
    "Krawczyk", "Piotrowski", "Grabowski", "Nowakowski", "Pawlowski", NULL};
static const char *const given_jp[] = {"Haruto", "Yuto", "Sota", "Riku",
    "Hiroshi", "Takeshi", "Kenji", "Daisuke", "Satoshi", "Kazuki", "Yui", "Aoi",
    "Sakura", "Hina", "Yuki", "Naoko", "Keiko", "Akiko", "Emi", "Mai", NULL};
static const char *const family_jp[] = {"Sato", "Suzuki", "Takahashi", "Tanaka",
    "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato", "Yoshida",
    "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi",
    "Shimizu", "Mori", NULL};

static const struct name_origin name_origins[] = {
    {"english", given_en, family_en},
    {"arabic", given_ar, family_ar},
    {"russian", given_ru, family_ru},
    {"chinese", given_zh, family_zh},
    {"spanish", given_es, family_es},
    {"german", given_de, family_de},
    {"french", given_fr, family_fr},
    {"indian", given_in, family_in},
    {"african", given_af, family_af},
    {"turkish", given_tr, family_tr},
    {"persian", given_fa, family_fa},
    {"vietnamese", given_vi, family_vi},
    {"polish", given_pl, family_pl},
    {"japanese", given_jp, family_jp},
};

#define NAME_ORIGINS (sizeof(name_origins) / sizeof(*name_origins))

static inline size_t
name_count(const char *const *list)
{
	size_t n = 0;

	while (list[n] != NULL)
		n++;
	return n;
}

/* xorshift64*: a fixed, seeded sequence so runs compare. */
static inline unsigned long long
bench_rand(unsigned long long *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

#endif
