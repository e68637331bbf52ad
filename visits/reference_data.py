"""The reference data a new installation starts with, as plain data.

``flask --app wsgi seed-reference`` loads it (visits/reference/commands.py).
After that the rows are the NPM's own: supervisors and administrators
rename, add and deactivate them in the app, and the command only adds what
is missing. Every text is given in English, Russian and Kyrgyz, in that order.
"""

from __future__ import annotations

from visits.models.checklist import ThematicArea

# (English, Russian, Kyrgyz)
Texts = tuple[str, str, str]
# (code, English, Russian, Kyrgyz)
CodedTexts = tuple[str, str, str, str]
# (thematic area, English, Russian, Kyrgyz)
AreaTexts = tuple[ThematicArea, str, str, str]

REGIONS: tuple[CodedTexts, ...] = (
    ("batken", "Batken Region", "Баткенская область", "Баткен облусу"),
    ("chui", "Chüy Region", "Чуйская область", "Чүй облусу"),
    ("issyk_kul", "Issyk-Kul Region", "Иссык-Кульская область", "Ысык-Көл облусу"),
    ("jalal_abad", "Jalal-Abad Region", "Джалал-Абадская область", "Жалал-Абад облусу"),
    ("naryn", "Naryn Region", "Нарынская область", "Нарын облусу"),
    ("osh_region", "Osh Region", "Ошская область", "Ош облусу"),
    ("talas", "Talas Region", "Таласская область", "Талас облусу"),
    ("bishkek", "City of Bishkek", "Город Бишкек", "Бишкек шаары"),
    ("osh_city", "City of Osh", "Город Ош", "Ош шаары"),
)

PLACE_TYPES: tuple[CodedTexts, ...] = (
    (
        "ivs",
        "Temporary detention facility (IVS)",
        "Изолятор временного содержания (ИВС)",
        "Убактылуу кармоо жайы (УКЖ)",
    ),
    (
        "sizo",
        "Pre-trial detention centre (SIZO)",
        "Следственный изолятор (СИЗО)",
        "Тергөө абагы (ТА)",
    ),
    ("colony", "Penal colony", "Исправительная колония", "Түзөтүү колониясы"),
    (
        "gknb",
        "State security detention facility (GKNB)",
        "Следственный изолятор ГКНБ",
        "УКМКнын тергөө абагы",
    ),
    (
        "court_cells",
        "Court holding cells",
        "Конвойные помещения судов",
        "Соттордогу конвой бөлмөлөрү",
    ),
    ("psychiatric", "Psychiatric hospital", "Психиатрическая больница", "Психиатриялык оорукана"),
    (
        "psychoneuro",
        "Psycho-neurological social-care home",
        "Психоневрологический дом-интернат",
        "Психоневрологиялык интернат үйү",
    ),
    ("children", "Children's institution", "Детское учреждение", "Балдар мекемеси"),
    (
        "elderly",
        "Home for older persons",
        "Дом-интернат для престарелых",
        "Улгайган адамдар үчүн интернат үйү",
    ),
    (
        "migrants",
        "Migrant detention facility",
        "Учреждение для содержания мигрантов",
        "Мигранттарды кармоо мекемеси",
    ),
    ("military", "Military guardhouse", "Военная гауптвахта", "Аскердик гауптвахта"),
    (
        "transport",
        "Transport of detainees",
        "Транспорт для перевозки задержанных",
        "Кармалгандарды ташуучу транспорт",
    ),
)

# Every authority stands alone (no parent) until the NPM says otherwise.
AUTHORITIES: tuple[CodedTexts, ...] = (
    (
        "mvd",
        "Ministry of Internal Affairs (MVD)",
        "Министерство внутренних дел (МВД)",
        "Ички иштер министрлиги (ИИМ)",
    ),
    (
        "gsin",
        "State Penitentiary Service (GSIN)",
        "Государственная служба исполнения наказаний (ГСИН)",
        "Жазаларды аткаруу мамлекеттик кызматы",
    ),
    (
        "gknb",
        "State Committee for National Security (GKNB)",
        "Государственный комитет национальной безопасности (ГКНБ)",
        "Улуттук коопсуздук мамлекеттик комитети (УКМК)",
    ),
    (
        "health",
        "Ministry of Health",
        "Министерство здравоохранения",
        "Саламаттыкты сактоо министрлиги",
    ),
    (
        "labour",
        "Ministry of Labour and Social Development",
        "Министерство труда и социального развития",
        "Эмгек жана социалдык өнүгүү министрлиги",
    ),
    ("education", "Ministry of Education", "Министерство образования", "Билим берүү министрлиги"),
    ("defence", "Ministry of Defence", "Министерство обороны", "Коргоо министрлиги"),
    ("prosecutor", "Prosecutor General's Office", "Генеральная прокуратура", "Башкы прокуратура"),
    ("supreme_court", "Supreme Court", "Верховный суд", "Жогорку сот"),
    (
        "parliament_hr",
        "Human Rights Committee of the Jogorku Kenesh",
        "Комитет Жогорку Кенеша по правам человека",
        "Жогорку Кеңештин адам укуктары боюнча комитети",
    ),
)

# The steps of every visit, in the order the team takes them.
PHASE_CHECKLIST: tuple[Texts, ...] = (
    (
        "Initial talk held with the management",
        "Проведена первоначальная беседа с руководством учреждения",
        "Мекеменин жетекчилиги менен алгачкы маек өткөрүлдү",
    ),
    (
        "Registers checked (custody, medical, disciplinary)",
        "Проверены журналы (учёта задержанных, медицинский, дисциплинарный)",
        "Журналдар текшерилди (кармалгандарды каттоо, медициналык, тартиптик)",
    ),
    (
        "Tour of all premises made",
        "Проведён обход всех помещений",
        "Бардык жайлар кыдырылып көрүлдү",
    ),
    (
        "Private interviews held with persons deprived of liberty",
        "Проведены конфиденциальные беседы с лицами, лишёнными свободы",
        "Эркинен ажыратылган адамдар менен купуя маектер өткөрүлдү",
    ),
    (
        "Interviews held with staff and medical personnel",
        "Проведены беседы с персоналом и медицинскими работниками",
        "Кызматкерлер жана медициналык персонал менен маектер өткөрүлдү",
    ),
    (
        "Documents reviewed (orders, complaints, inspection reports)",
        "Изучены документы (приказы, жалобы, акты проверок)",
        "Документтер каралды (буйруктар, даттануулар, текшерүү актылары)",
    ),
    (
        "Final talk held with the management: first observations shared",
        "Проведена итоговая беседа с руководством, озвучены предварительные выводы",
        "Жетекчилик менен жыйынтыктоочу маек өткөрүлдү, алгачкы байкоолор билдирилди",
    ),
)

# Asked in every kind of place, grouped by thematic area.
THEMATIC_CHECKLIST: dict[ThematicArea, tuple[Texts, ...]] = {
    ThematicArea.TREATMENT: (
        (
            "Detainees report being treated with respect by staff",
            "Задержанные сообщают об уважительном обращении со стороны персонала",
            "Кармалгандар кызматкерлер аларга урмат менен мамиле кыларын билдиришет",
        ),
        (
            "No insults, threats or degrading practices reported or observed",
            "Не выявлено оскорблений, угроз или унижающего достоинство обращения",
            "Кордоо, коркутуу же ар-намысты кемсинткен мамиле аныкталган жок",
        ),
        (
            "Staff speak to detainees in a language they understand",
            "Персонал общается с задержанными на понятном им языке",
            "Кызматкерлер кармалгандар менен алар түшүнгөн тилде сүйлөшөт",
        ),
        (
            "Complaints can be made confidentially and without fear of reprisal",
            "Жалобы можно подать конфиденциально и без страха преследования",
            "Даттанууларды купуя жана куугунтуктан коркпостон берүүгө болот",
        ),
    ),
    ThematicArea.PROTECTION: (
        (
            "Detainees are informed of their rights on arrival",
            "Задержанных информируют об их правах при поступлении",
            "Кармалгандарга келгенде алардын укуктары түшүндүрүлөт",
        ),
        (
            "Family notified of detention within 12 hours",
            "Родственники уведомлены о задержании в течение 12 часов",
            "Үй-бүлөсүнө кармалгандыгы тууралуу 12 сааттын ичинде кабарланат",
        ),
        (
            "Access to a lawyer from the first hour",
            "Доступ к адвокату с первого часа задержания",
            "Кармалган биринчи сааттан тартып адвокатка жетүү мүмкүнчүлүгү бар",
        ),
        (
            "Medical examination on arrival",
            "Медицинский осмотр при поступлении",
            "Келгенде медициналык кароо жүргүзүлөт",
        ),
        (
            "Custody register complete and consistent",
            "Журнал учёта задержанных заполнен полностью и без противоречий",
            "Кармалгандарды каттоо журналы толук жана карама-каршылыксыз толтурулган",
        ),
        (
            "Length of police custody within 48 hours",
            "Срок содержания в органах внутренних дел не превышает 48 часов",
            "Ички иштер органдарында кармоо мөөнөтү 48 сааттан ашпайт",
        ),
    ),
    ThematicArea.MATERIAL_CONDITIONS: (
        (
            "Drinking water and three meals a day are provided",
            "Обеспечены питьевая вода и трёхразовое питание",
            "Ичүүчү суу жана күнүнө үч маал тамак берилет",
        ),
        (
            "Cells have enough space, daylight and ventilation",
            "Камеры достаточной площади, с дневным светом и вентиляцией",
            "Камералар жетиштүү аянттуу, күндүзгү жарык жана желдетүү бар",
        ),
        (
            "Toilets are partitioned off and kept clean",
            "Туалеты отгорожены и содержатся в чистоте",
            "Ажатканалар тосулган жана таза кармалат",
        ),
        (
            "Each person has a bed, clean bedding and suitable clothing",
            "У каждого есть спальное место, чистое постельное бельё и подходящая одежда",
            "Ар бир адамдын керебети, таза төшөк-шейшеби жана ылайыктуу кийими бар",
        ),
        (
            "A shower is available at least once a week",
            "Доступ к душу не реже одного раза в неделю",
            "Жумасына кеминде бир жолу душка түшүүгө мүмкүнчүлүк бар",
        ),
    ),
    ThematicArea.REGIME: (
        (
            "At least one hour of outdoor exercise every day",
            "Ежедневная прогулка на свежем воздухе не менее одного часа",
            "Күн сайын кеминде бир саат таза абада сейилдөө",
        ),
        (
            "Visits, phone calls and letters from family are allowed",
            "Разрешены свидания, телефонные звонки и переписка с родственниками",
            "Туугандары менен жолугушууга, телефон чалууга жана кат жазышууга уруксат берилет",
        ),
        (
            "Work, education or leisure activities are offered",
            "Предлагаются работа, обучение или досуговые занятия",
            "Эмгек, окуу же бош убакытты өткөрүү иш-чаралары сунушталат",
        ),
        (
            "Religious practice and reading material are accessible",
            "Обеспечен доступ к отправлению религиозных обрядов и к литературе",
            "Диний ырым-жырымдарды аткарууга жана китептерге жетүү мүмкүнчүлүгү бар",
        ),
    ),
    ThematicArea.HEALTH_CARE: (
        (
            "A doctor or nurse is available every day",
            "Врач или медсестра доступны ежедневно",
            "Дарыгер же медайым күн сайын жеткиликтүү",
        ),
        (
            "Injuries are recorded and reported to the prosecutor",
            "Телесные повреждения фиксируются, о них сообщается прокурору",
            "Дене жаракаттары катталат жана алар тууралуу прокурорго кабарланат",
        ),
        (
            "Medical examinations take place out of the hearing and sight of guards",
            "Медицинский осмотр проводится вне пределов слышимости и видимости охраны",
            "Медициналык кароо күзөтчүлөр укпаган жана көрбөгөн жерде жүргүзүлөт",
        ),
        (
            "Medical records are kept confidential",
            "Соблюдается врачебная тайна медицинской документации",
            "Медициналык документтердин купуялуулугу сакталат",
        ),
        (
            "Medicines and treatment are free of charge",
            "Лекарства и лечение предоставляются бесплатно",
            "Дары-дармек жана дарылоо акысыз берилет",
        ),
    ),
    ThematicArea.PERSONNEL: (
        (
            "Staffing is sufficient for the number of people held",
            "Численность персонала достаточна для числа содержащихся лиц",
            "Кызматкерлердин саны кармалып тургандардын санына жетиштүү",
        ),
        (
            "Staff are trained in human rights and the prohibition of torture",
            "Персонал прошёл обучение по правам человека и запрету пыток",
            "Кызматкерлер адам укуктары жана кыйноого тыюу салуу боюнча окуудан өтүшкөн",
        ),
        (
            "Female staff are present where women are held",
            "Там, где содержатся женщины, работает персонал женского пола",
            "Аялдар кармалган жерде аял кызматкерлер иштейт",
        ),
        (
            "Staff wear visible identification",
            "Сотрудники носят видимые опознавательные знаки",
            "Кызматкерлер көрүнүп турган өздүк белгилерин тагынышат",
        ),
    ),
    ThematicArea.ORDER_DISCIPLINE: (
        (
            "Disciplinary sanctions are recorded with the grounds and the decision",
            "Дисциплинарные взыскания фиксируются с указанием оснований и решения",
            "Тартиптик жазалар негиздери жана чечими менен кошо катталат",
        ),
        (
            "Solitary confinement is a last resort, for the shortest possible time",
            "Одиночное содержание применяется лишь как крайняя мера и на кратчайший срок",
            "Жалгыз кармоо акыркы чара катары гана жана мүмкүн болушунча кыска мөөнөткө колдонулат",
        ),
        (
            "Every use of force or restraints is recorded and reviewed",
            "Каждое применение силы или специальных средств фиксируется и проверяется",
            "Күч же атайын каражаттарды колдонуунун ар бир учуру катталат жана текшерилет",
        ),
        (
            "Searches respect dignity and are made by staff of the same sex",
            "Досмотры проводятся с уважением достоинства сотрудниками того же пола",
            "Тинтүү ар-намысты сыйлоо менен бир жыныстагы кызматкерлер тарабынан жүргүзүлөт",
        ),
        (
            "Men and women, adults and juveniles, accused and convicted are held apart",
            "Мужчины и женщины, взрослые и несовершеннолетние, обвиняемые и осуждённые "
            "содержатся раздельно",
            "Эркектер менен аялдар, чоңдор менен жашы жете электер, айыпталуучулар менен "
            "соттолгондор өзүнчө кармалат",
        ),
    ),
    ThematicArea.TORTURE: (
        (
            "No allegations of beatings or ill-treatment at arrest or questioning",
            "Нет заявлений об избиениях или жестоком обращении при задержании или допросе",
            "Кармоо же суракка алуу учурунда сабоо же ырайымсыз мамиле тууралуу арыздар жок",
        ),
        (
            "No injuries without a recorded explanation",
            "Нет телесных повреждений без задокументированного объяснения",
            "Себеби катталбаган дене жаракаттары жок",
        ),
        (
            "Allegations of torture are reported to the prosecutor without delay",
            "О заявлениях о пытках незамедлительно сообщается прокурору",
            "Кыйноо тууралуу арыздар жөнүндө прокурорго дароо кабарланат",
        ),
        (
            "No objects that could be used for ill-treatment found in offices or cells",
            "В кабинетах и камерах не обнаружено предметов, пригодных для жестокого обращения",
            "Кабинеттерде жана камераларда ырайымсыз мамиле үчүн колдонулушу мүмкүн болгон "
            "буюмдар табылган жок",
        ),
    ),
    ThematicArea.VULNERABLE_GROUPS: (
        (
            "Women are held apart from men and supervised by female staff",
            "Женщины содержатся отдельно от мужчин под надзором персонала женского пола",
            "Аялдар эркектерден өзүнчө кармалат жана аял кызматкерлердин көзөмөлүндө болот",
        ),
        (
            "Children are held apart from adults and have a legal representative",
            "Несовершеннолетние содержатся отдельно от взрослых, у них есть законный представитель",
            "Жашы жете электер чоңдордон өзүнчө кармалат жана алардын мыйзамдуу өкүлү бар",
        ),
        (
            "Premises and services are accessible to persons with disabilities",
            "Помещения и услуги доступны для лиц с инвалидностью",
            "Жайлар жана кызматтар ден соолугунун мүмкүнчүлүгү чектелген адамдар үчүн жеткиликтүү",
        ),
        (
            "Foreigners have an interpreter and can contact their consulate",
            "Иностранцам обеспечены переводчик и связь с консульством",
            "Чет өлкөлүктөр котормочу жана өз консулдугу менен байланыш менен камсыздалган",
        ),
        (
            "LGBTI persons and older persons are protected from violence and discrimination",
            "ЛГБТИ-люди и пожилые люди защищены от насилия и дискриминации",
            "ЛГБТИ адамдар жана улгайган адамдар зомбулуктан жана басмырлоодон корголгон",
        ),
    ),
}

# Asked only in one kind of place, keyed by the place type's code.
_SOLITARY_CONFINEMENT: AreaTexts = (
    ThematicArea.ORDER_DISCIPLINE,
    "Punishment cell: length of stay, conditions and daily medical checks are recorded",
    "Штрафной изолятор: сроки, условия содержания и ежедневный медицинский контроль фиксируются",
    "Айып изолятору: кармоо мөөнөттөрү, шарттары жана күнүмдүк медициналык көзөмөл катталат",
)

PLACE_TYPE_CHECKLIST: dict[str, tuple[AreaTexts, ...]] = {
    "psychiatric": (
        (
            ThematicArea.HEALTH_CARE,
            "Informed consent to treatment is sought and recorded",
            "Информированное согласие на лечение запрашивается и фиксируется",
            "Дарылоого маалымдуу макулдук суралат жана катталат",
        ),
        (
            ThematicArea.ORDER_DISCIPLINE,
            "Every use of restraint and seclusion is recorded and reviewed by a doctor",
            "Каждое применение мер стеснения и изоляции фиксируется и проверяется врачом",
            "Кыймылды чектөө жана обочолоо чараларынын ар бир колдонулушу катталат жана "
            "дарыгер тарабынан текшерилет",
        ),
        (
            ThematicArea.PROTECTION,
            "Involuntary admissions are confirmed by a court within the legal time limit",
            "Недобровольная госпитализация подтверждена судом в установленный законом срок",
            "Ыктыярсыз ооруканага жаткыруу мыйзамда белгиленген мөөнөттө сот тарабынан ырасталган",
        ),
    ),
    "psychoneuro": (
        (
            ThematicArea.PROTECTION,
            "Decisions on legal capacity and guardianship are on file and reviewed",
            "Решения о дееспособности и опеке имеются в личных делах и пересматриваются",
            "Аракетке жөндөмдүүлүк жана камкордук боюнча чечимдер жеке иштерде бар жана "
            "кайра каралып турат",
        ),
        (
            ThematicArea.ORDER_DISCIPLINE,
            "Restraint is a last resort and every use is recorded",
            "Меры стеснения применяются лишь как крайняя мера, каждый случай фиксируется",
            "Кыймылды чектөө чаралары акыркы чара катары гана колдонулат, ар бир учуру катталат",
        ),
        (
            ThematicArea.REGIME,
            "Residents can go outside and take part in community life",
            "Проживающие могут выходить на улицу и участвовать в жизни общества",
            "Жашоочулар сыртка чыгып, коомдук турмушка катыша алышат",
        ),
    ),
    "children": (
        (
            ThematicArea.REGIME,
            "Every child goes to school or receives education",
            "Каждый ребёнок посещает школу или получает образование",
            "Ар бир бала мектепке барат же билим алат",
        ),
        (
            ThematicArea.VULNERABLE_GROUPS,
            "Contact with the family is kept up and encouraged",
            "Связь с семьёй поддерживается и поощряется",
            "Үй-бүлө менен байланыш сакталат жана колдоого алынат",
        ),
        (
            ThematicArea.TREATMENT,
            "No corporal or collective punishment",
            "Телесные и коллективные наказания не применяются",
            "Денеге жана жамааттык жаза колдонулбайт",
        ),
    ),
    "colony": (
        _SOLITARY_CONFINEMENT,
        (
            ThematicArea.TREATMENT,
            "No informal prisoner hierarchy punishes others or controls access to goods",
            "Неформальная иерархия осуждённых не наказывает других и не распределяет блага",
            "Соттолгондордун расмий эмес иерархиясы башкаларды жазалабайт жана "
            "жеңилдиктерди бөлүштүрбөйт",
        ),
    ),
    "sizo": (_SOLITARY_CONFINEMENT,),
    "elderly": (
        (
            ThematicArea.PROTECTION,
            "Residents live there by their own consent",
            "Проживающие находятся в учреждении по собственному согласию",
            "Жашоочулар мекемеде өз макулдугу менен жашашат",
        ),
        (
            ThematicArea.HEALTH_CARE,
            "Residents receive regular geriatric care and help with daily living",
            "Проживающие получают регулярную гериатрическую помощь и помощь в быту",
            "Жашоочулар туруктуу гериатриялык жардам жана күнүмдүк турмушта жардам алышат",
        ),
        (
            ThematicArea.ORDER_DISCIPLINE,
            "Residents are not locked in or tied down",
            "Проживающих не запирают и не привязывают",
            "Жашоочуларды бөлмөгө камабайт жана байлабайт",
        ),
    ),
}
